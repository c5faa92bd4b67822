"""Optional LLM wording: retrieved facts reworded in the brand's voice through an OpenAI-compatible chat API.

The model never adds facts: a draft whose numbers, prices, links or product names are not in what retrieval
found is rejected and the template answer is kept; so are timeouts and errors. Off unless `drafting.llm` is set.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from moderation.domain import Grounding
from moderation.domain.attribution import LINK
from moderation.knowledge.compose import LINK_TAG_ROOM, sent_length
from moderation.knowledge.retrieval import Question
from moderation.knowledge.text import fold

logger = logging.getLogger(__name__)

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
LANG_NAMES = {"en": "English", "fr": "French"}


def _numbers(text: str) -> set[str]:
    """Every number, written one way: '6,90' and '6.90' are the same, '149.00' is '149'."""
    out = set()
    for raw in _NUMBER.findall(LINK.sub(" ", text)):
        value = raw.replace(" ", "")
        if "," in value and "." not in value:
            value = value.replace(",", ".")
        value = value.replace(",", "")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        out.add(value)
    return out


def _link_base(url: str) -> str:
    return url.rstrip(".,;:!?").split("?", 1)[0].split("#", 1)[0].rstrip("/")


def ungrounded(draft: str, facts: str, allowed_names: Sequence[str], catalogue_names: Sequence[str]) -> list[str]:
    """What the draft says that the facts do not: numbers, links, product names. Empty = safe to use."""
    problems = [f"number {n}" for n in sorted(_numbers(draft) - _numbers(facts))]
    known_links = {_link_base(url) for url in LINK.findall(facts)}
    problems += [f"link {url}" for url in LINK.findall(draft) if _link_base(url) not in known_links]
    folded, folded_facts = fold(draft), fold(facts)
    allowed = {fold(name) for name in allowed_names}
    problems += [f"product {name}" for name in catalogue_names
                 if fold(name) in folded and fold(name) not in allowed and fold(name) not in folded_facts]
    return problems


# A limit this generous (Instagram's 2,200 characters) needs no word in the prompt: two sentences fit anyway.
LONG_ENOUGH = 1000


class LlmWriter:
    """Rewords each grounded answer with one chat completion; `client` is injected in tests."""

    def __init__(self, *, base_url: str, model: str, api_key: str | None = None, timeout: float = 8.0,
                 max_tokens: int = 300, voice: Sequence[str] = (), catalogue_names: Sequence[str] = (),
                 client: httpx.AsyncClient | None = None) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.max_tokens = max_tokens
        self.voice = tuple(voice)
        self.catalogue_names = tuple(catalogue_names)
        self.client = client
        self.stats = {"used": 0, "rejected": 0, "failed": 0}

    def __repr__(self) -> str:  # never show the key
        return f"LlmWriter(url={self.url!r}, model={self.model!r})"

    async def reword_many(self, questions: Sequence[Question], groundings: Sequence[Grounding]) -> list[Grounding]:
        todo = [k for k, g in enumerate(groundings) if g.answer and g.level != "none"]
        if not todo:
            return list(groundings)
        if self.client is not None:
            results = await asyncio.gather(*(self.reword(self.client, questions[k], groundings[k]) for k in todo))
        else:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                results = await asyncio.gather(*(self.reword(client, questions[k], groundings[k]) for k in todo))
        out = list(groundings)
        for k, grounding in zip(todo, results, strict=True):
            out[k] = grounding
        return out

    async def reword(self, client: httpx.AsyncClient, question: Question, grounding: Grounding) -> Grounding:
        """The LLM's wording when it keeps to the facts, else `grounding` unchanged (the template answer)."""
        try:
            draft = await asyncio.wait_for(self._complete(client, question, grounding), timeout=self.timeout)
        except Exception as exc:  # noqa: BLE001 - timeouts, HTTP errors, odd JSON: the template answer stands
            self.stats["failed"] += 1
            logger.warning("moderation.knowledge.llm_failed", extra={"error": type(exc).__name__})
            return grounding
        facts = self._facts(grounding)
        problems = ungrounded(draft, facts, [p.name for p in grounding.products], self.catalogue_names) \
            if draft else ["empty reply"]
        if question.limit is not None and sent_length(draft) > question.limit:
            # Over the platform's limit the card could not send it: the template answer goes to a person instead.
            problems.append(f"{sent_length(draft)} characters, over {question.limit}")
        if problems:
            self.stats["rejected"] += 1
            logger.info("moderation.knowledge.llm_rejected", extra={"problems": problems[:5]})
            return grounding
        self.stats["used"] += 1
        return grounding.model_copy(update={"answer": draft, "worded_by": "llm"})

    def _facts(self, grounding: Grounding) -> str:
        parts = [grounding.answer]
        for product in grounding.products:
            parts.append(f"{product.name}: {product.price_text} ({product.price} {product.currency}), "
                         f"in stock: {product.in_stock}, sizes: {', '.join(product.sizes)}, "
                         f"colours: {', '.join(product.colors)}, {product.url}. {product.description}")
        return "\n".join(parts)

    async def _complete(self, client: httpx.AsyncClient, question: Question, grounding: Grounding) -> str:
        language = LANG_NAMES.get(question.lang, "the language of the question")
        voice = "\n".join(f"- {example}" for example in self.voice)
        system = (
            "You write one short reply from a brand to a social media comment or message. Use ONLY the facts given: "
            "never add a price, number, date, link or product name that is not in them, and keep every link "
            f"exactly as written. Reply in {language}, in two sentences at most, without a greeting."
            + (f" The reply must fit in {question.limit - LINK_TAG_ROOM} characters, links included: keep the fact "
               "the question asks for, and leave out a link or a detail rather than go over."
               if question.limit is not None and question.limit < LONG_ENOUGH else "")
            + (f"\nExamples of the brand's voice:\n{voice}" if voice else "")
        )
        user = f"Question: {question.text}\n\nFacts:\n{self._facts(grounding)}"
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        response = await client.post(self.url, headers=headers, json={
            "model": self.model, "temperature": 0.2, "max_tokens": self.max_tokens,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
        })
        response.raise_for_status()
        body: Any = response.json()
        return str(body["choices"][0]["message"]["content"]).strip()


def build_writer(drafting: Any, secret: Callable[[str], str], catalogue_names: Sequence[str] = ()) -> LlmWriter:
    """From the `drafting:` settings; the API key is read from its environment variable, never the file."""
    llm = drafting.llm
    return LlmWriter(base_url=llm.base_url, model=llm.model,
                     api_key=secret(llm.api_key_env) if llm.api_key_env else None, timeout=llm.timeout_seconds,
                     max_tokens=llm.max_tokens, voice=drafting.voice, catalogue_names=catalogue_names)
