"""PlaybookError: every way a playbook can be wrong, each located by file and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PlaybookIssue:
    """One problem in one place; `line` is 1-based, None when the place has no line (a missing file)."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


class PlaybookError(Exception):
    """Raised when a playbook (or the library as a whole) is invalid; nothing runs with an invalid library."""

    def __init__(self, issues: list[PlaybookIssue] | PlaybookIssue | str) -> None:
        if isinstance(issues, str):
            issues = [PlaybookIssue(file="<playbooks>", line=None, message=issues)]
        elif isinstance(issues, PlaybookIssue):
            issues = [issues]
        self.issues: list[PlaybookIssue] = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))

    @classmethod
    def at(cls, file: str | Path, line: int | None, message: str) -> PlaybookError:
        return cls(PlaybookIssue(file=str(file), line=line, message=message))
