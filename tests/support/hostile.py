"""Helpers for the hostile-input tests: Meta deliveries built in code, and a real database trigger that
refuses one marked row (what a database does to a row it cannot store), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from moderation.storage import Database

OUR_ACCOUNT = "17841400000000000"
POISON = "POISON-ROW"


def instagram_comment(comment_id: str, text: str, *, author: str = "u1", id_key: str = "id",
                      media: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"field": "comments", "value": {"from": {"id": author, "username": f"user_{author}"},
                                           "media": media or {"id": "m1"}, id_key: comment_id, "text": text}}


def delivery(changes: list[dict[str, Any]] | None = None, messaging: list[dict[str, Any]] | None = None,
             obj: str = "instagram") -> bytes:
    entry: dict[str, Any] = {"id": OUR_ACCOUNT, "time": 1764000000}
    if changes is not None:
        entry["changes"] = changes
    if messaging is not None:
        entry["messaging"] = messaging
    return json.dumps({"object": obj, "entry": [entry]}).encode()


def install_poison_trigger(db: Database) -> None:
    """Make the database refuse any interaction whose text contains POISON, as a data error."""
    with db.engine.begin() as connection:
        if db.is_sqlite:
            connection.execute(sa.text(
                f"CREATE TRIGGER refuse_poison BEFORE INSERT ON interactions WHEN NEW.text LIKE '%{POISON}%' "
                "BEGIN SELECT RAISE(ABORT, 'row refused by the database'); END"))
        else:
            connection.execute(sa.text(
                "CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.text LIKE '%{POISON}%' THEN "
                "RAISE EXCEPTION 'row refused by the database' USING ERRCODE = '22000'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"))
            connection.execute(sa.text(
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON interactions FOR EACH ROW "
                "EXECUTE FUNCTION refuse_poison()"))
