"""The classifier component interface every scoring model implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from moderation.domain import Scores


@runtime_checkable
class TextClassifier(Protocol):
    """Scores texts for intent, toxicity, sentiment and language.

    `classify` takes a batch (batching is where the speed is) and returns one Scores per text, in order.
    It must not raise for any single odd text (emoji only, very long); callers validate emptiness first.
    """

    name: str
    version: str

    def classify(self, texts: Sequence[str], *, explain: bool = False) -> list[Scores]: ...
