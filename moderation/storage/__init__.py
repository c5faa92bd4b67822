"""Durable storage: tables, the Database handle, and Alembic migrations."""

from moderation.storage.database import (
    Database,
    DatabaseError,
    DatabaseUrlError,
    check_database_url,
    database_url,
    redact_url,
)

__all__ = ["Database", "DatabaseError", "DatabaseUrlError", "check_database_url", "database_url", "redact_url"]
