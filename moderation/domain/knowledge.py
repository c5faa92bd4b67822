"""Knowledge retrieval results as plain data: what the pipeline found for a question, for the pure decision."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

GroundingLevel = Literal["high", "low", "none"]


class ProductFacts(BaseModel):
    """One catalogue row as templates see it: `{{ product }}` prints the name, `{{ product.price_text }}`…"""

    model_config = ConfigDict(frozen=True)

    sku: str
    name: str
    price: str  # dot decimal as written in the catalogue ("149.00"); `price_text` is the display form
    currency: str
    sizes: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()
    in_stock: int = 0
    url: str = ""
    description: str = ""
    price_text: str = ""  # in the asker's language: "€149.00" / "149,00 €"

    @property
    def available(self) -> bool:
        return self.in_stock > 0

    def __str__(self) -> str:
        return self.name


class Alternative(BaseModel):
    """Another fact a person may send instead of the draft's, ready to go: the approval card's "Send this
    instead" button sends the reply rendered with it (one click, no typing)."""

    model_config = ConfigDict(frozen=True)

    source: str  # "answer:<id>" or "product:<sku>"
    answer: str  # the fact composed in the asker's language, links tagged
    product: ProductFacts | None = None


class Grounding(BaseModel):
    """Retrieved knowledge for one interaction: the composed `answer` in the asker's language, the products
    it is about, and how sure retrieval is. `level` high = may be sent automatically where a playbook allows;
    low = a draft with `suggestions` for a person; none = nothing matched, and `answer` is empty."""

    model_config = ConfigDict(frozen=True)

    level: GroundingLevel = "none"
    confidence: float = Field(0.0, ge=0.0, le=1.0)
    answer: str = ""
    source: str = ""  # "answer:<id>" or "product:<sku>", empty when nothing matched
    product: ProductFacts | None = None
    products: tuple[ProductFacts, ...] = ()
    suggestions: tuple[str, ...] = ()  # other candidate answers, for the person approving
    human: bool = False  # `human: true` in knowledge.yaml: never sent without a person
    worded_by: Literal["template", "llm"] = "template"
    post_product: str | None = None  # sku of the post's product ("this"), when known
    # The source whose fact retrieval's judge left out of the reply (it is the first suggestion); empty otherwise.
    set_aside: str = ""
    # Unedited approvals this source still needs before a sure match of it is sent without a person
    # (moderation.knowledge.trust); 0 once it has them, or when the team turned the warm-up off.
    awaiting_approvals: int = Field(0, ge=0)
    # The suggestions a person is likeliest to want instead, each composed like `answer` (at most two: the
    # card's buttons). When the draft has no fact, the first is the closest answer, or the one the judge set aside.
    alternatives: tuple[Alternative, ...] = ()


class AlternativeReply(BaseModel):
    """An alternative rendered into a whole reply and stored with the drafted action (`params["alternatives"]`,
    written by playbooks.engine): what the approval card's "Send this instead" sends, exactly as shown. One longer
    than the platform allows even alone carries `over_limit` (characters): shown for a person to shorten, never
    sent as it is."""

    model_config = ConfigDict(frozen=True)

    source: str  # "answer:<id>" or "product:<sku>"
    text: str
    over_limit: int | None = None

    @property
    def sendable(self) -> bool:
        return self.over_limit is None

    def to_params(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


def alternative_replies(params: Mapping[str, Any]) -> tuple[AlternativeReply, ...]:
    """The alternative replies a drafted action's params hold, in the order the card numbers them; an entry
    without a source or a text is left out (every reader, card and click alike, sees the same list)."""
    stored = params.get("alternatives")
    if not isinstance(stored, list):
        return ()
    return tuple(AlternativeReply(source=str(item["source"]), text=str(item["text"]),
                                  over_limit=int(item["over_limit"]) if item.get("over_limit") else None)
                 for item in stored
                 if isinstance(item, dict) and item.get("source") and str(item.get("text") or "").strip())

