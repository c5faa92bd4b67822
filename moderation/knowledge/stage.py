"""The pipeline step before the decision: ground each question in the knowledge base (I/O allowed here)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from moderation.domain import Grounding, Interaction, Platform, Scores, reply_channel
from moderation.knowledge.posts import PostProducts
from moderation.knowledge.retrieval import Question, Retriever, asks_question
from moderation.knowledge.trust import ApprovalTrust

logger = logging.getLogger(__name__)

# Intents a fact may answer (other and collab only when retrieval is sure or the message is a question, see
# retrieval.REMARK_INTENTS; refunds always through a person, whatever the playbook says).
KNOWLEDGE_INTENTS = ("pricing", "purchase", "product_question", "order_support", "refund", "complaint", "other",
                     "collab")


@dataclass
class KnowledgeStage:
    """Built by the composition root from `knowledge:` in the config; the worker calls `ground` per batch."""

    retriever: Retriever
    posts: PostProducts
    intents: tuple[str, ...] = KNOWLEDGE_INTENTS
    writer: object | None = None  # an LlmWriter when `drafting.llm` is configured
    # Also a question the classifier filed elsewhere ("love it! do you ship to Canada?" as praise): the
    # classifier decides the tone, not whether the knowledge base has the answer.
    any_question: bool = True
    trust: ApprovalTrust | None = None  # the warm-up before sure facts go out alone (knowledge.auto_send_after)
    # The playbooks' longest reply per platform and channel ("public", "dm"), for LLM wording to keep within.
    text_limit: Callable[[Platform, str], int] | None = None

    def wanted(self, interaction: Interaction, score: Scores) -> bool:
        if score.intent in self.intents:
            return True
        # Spam that asks something is grounded too: a short question is often filed as spam ("carte cadeau
        # possible ?" at 0.23). The playbooks decide (the library hides confident spam and drafts the answer to
        # unsure spam for a person), and the guardrails never let a reply to spam go out without one.
        return self.any_question and not score.toxic and asks_question(interaction.text)

    async def ground(self, interactions: Sequence[Interaction], scores: Sequence[Scores]) -> list[Grounding | None]:
        """One Grounding per interaction whose intent a fact answers, None for the rest. Never raises: a
        failure here leaves the decision without knowledge (its replies become drafts), nothing worse."""
        out: list[Grounding | None] = [None] * len(interactions)
        try:
            todo = [k for k, score in enumerate(scores) if self.wanted(interactions[k], score)]
            if not todo:
                return out
            started = time.perf_counter()
            # Each post's product once per batch, the posts concurrently (a caption read is an API call).
            keys = {k: (interactions[k].platform.value, interactions[k].post_id, interactions[k].campaign,
                        interactions[k].account_id) for k in todo}
            unique = list(dict.fromkeys(keys.values()))
            skus = dict(zip(unique, await asyncio.gather(*(self.posts.skus_for(*key) for key in unique)), strict=True))
            questions = []
            for k in todo:
                item, score = interactions[k], scores[k]
                questions.append(Question(text=item.text, lang=score.lang, intent=score.intent,
                                          platform=item.platform.value, campaign=item.campaign,
                                          post_product=skus[keys[k]][0] if len(skus[keys[k]]) == 1 else None,
                                          post_products=skus[keys[k]], limit=self._limit(item)))
            # Encoding is CPU work: off the event loop, like classification.
            groundings = await asyncio.to_thread(self.retriever.ground_many, questions)
            if self.writer is not None:
                groundings = await self.writer.reword_many(questions, groundings)  # type: ignore[attr-defined]
            if self.trust is not None:
                groundings = await asyncio.to_thread(self._warm_up, groundings)
            for k, grounding in zip(todo, groundings, strict=True):
                out[k] = grounding
            logger.debug("moderation.knowledge.grounded",
                         extra={"count": len(todo), "seconds": round(time.perf_counter() - started, 4)})
        except Exception:  # noqa: BLE001 - knowledge must never stop moderation
            logger.exception("moderation.knowledge.ground_failed")
        return out

    def _limit(self, interaction: Interaction) -> int | None:
        """The platform's limit for the reply: in private for a DM or a story reply, in public otherwise."""
        if self.text_limit is None:
            return None
        return self.text_limit(interaction.platform, reply_channel(interaction.kind))

    def _warm_up(self, groundings: Sequence[Grounding]) -> list[Grounding]:
        """Sure matches of a source people have not yet approved often enough stay sure, and wait for a person."""
        assert self.trust is not None
        sure = {g.source for g in groundings if g.level == "high" and g.source}
        awaiting = self.trust.awaiting(sure)
        return [g.model_copy(update={"awaiting_approvals": awaiting[g.source]})
                if g.level == "high" and awaiting.get(g.source) else g for g in groundings]
