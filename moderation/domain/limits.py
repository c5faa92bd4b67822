"""Input limits, in one place: what the system refuses, with a message that says which limit and by how much."""

from __future__ import annotations

from moderation.domain.interaction import MAX_TEXT_CHARS

MAX_BODY_BYTES = 1_000_000  # one webhook delivery (Meta batches up to ~1000 changes; far below this)
MAX_STORE_BATCH = 5_000  # interactions stored in one transaction
MAX_WORKER_BATCH = 1_000  # interactions classified together (also the config's upper bound)

__all__ = ["MAX_BODY_BYTES", "MAX_STORE_BATCH", "MAX_TEXT_CHARS", "MAX_WORKER_BATCH", "LimitExceeded", "check"]


class LimitExceeded(ValueError):
    """Input larger than a limit; refused whole, nothing of it stored."""

    def __init__(self, what: str, size: int, limit: int, unit: str) -> None:
        super().__init__(f"{what} is {size} {unit}, more than the limit of {limit} {unit}")
        self.what, self.size, self.limit = what, size, limit


def check(what: str, size: int, limit: int, unit: str) -> None:
    if size > limit:
        raise LimitExceeded(what, size, limit, unit)
