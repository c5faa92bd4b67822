"""Earned trust: a fact goes out without a person only once people have approved it, unedited, a few times.

On brands nobody tuned retrieval on, about one in five facts retrieval was sure of was the wrong one (the
seventh round's held-out weeks: 3.6% of the questions got a wrong fact sent alone, against 15.0% a right one).
So each answer or product starts as a draft for approval, however sure retrieval is; after `needed` approvals
without an edit, its sure matches are sent where a playbook auto-replies. An edit does not count: the person
changed what would have been sent.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import select

from moderation.storage import Database
from moderation.storage.tables import ActionRow, ApprovalRow


@dataclass
class ApprovalTrust:
    db: Database
    needed: int
    _counts: Counter[str] = field(default_factory=Counter)
    _since: datetime | None = None  # approvals decided before this are all counted
    _counted: set[int] = field(default_factory=set)  # those decided at `_since` or later, counted already
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def awaiting(self, sources: set[str]) -> dict[str, int]:
        """How many more unedited approvals each source needs before it is sent alone (0: none)."""
        if self.needed <= 0 or not sources:
            return dict.fromkeys(sources, 0)
        self._refresh()
        return {source: max(0, self.needed - self._counts[source]) for source in sources}

    def _refresh(self) -> None:
        """Count the approvals decided since the last look (one indexed query, however long the history)."""
        with self._lock:
            query = (select(ApprovalRow.id, ApprovalRow.decided_at, ActionRow.params)
                     .join(ActionRow, ActionRow.id == ApprovalRow.action_id)
                     .where(ApprovalRow.state == "approved", ApprovalRow.decided_at.is_not(None)))  # type: ignore[union-attr]
            if self._since is not None:
                # From the last time seen on (two approvals may share a timestamp), skipping those counted.
                query = query.where(ApprovalRow.decided_at >= self._since)  # type: ignore[operator]
            with self.db.session() as session:
                rows = session.exec(query).all()
            latest = max((decided_at for _, decided_at, _ in rows if decided_at is not None), default=self._since)
            for approval_id, _, params in rows:
                if approval_id in self._counted:
                    continue
                source = ((params or {}).get("knowledge") or {}).get("source")
                if source:
                    self._counts[source] += 1
                self._counted.add(approval_id)
            if latest is not None and latest != self._since:
                # Only the approvals decided at the newest time can be seen again.
                self._counted = {i for i, decided_at, _ in rows if decided_at == latest}
                self._since = latest
