"""Grounded retrieval: the best answers and products for a question, with a confidence the playbooks act on.

Two signals, combined: the classifier's own sentence encoder (meaning: "do you deliver to Dublin?" near "how
much is shipping to Ireland?") and typo-tolerant word overlap without accents (names: "serun eclat" is the
"Sérum Éclat"). A question about a product's price, stock, sizes, colours or link is answered from the
catalogue row of the product it names, else of the post it is under ("how much is this?").
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from moderation.domain import Grounding
from moderation.domain.attribution import utm_link
from moderation.knowledge import compose
from moderation.knowledge.files import KnowledgeBase, Product
from moderation.knowledge.text import STOPWORDS, Vocabulary, content_tokens, overlap, stem, tokens

logger = logging.getLogger(__name__)

Embed = Callable[[Sequence[str]], np.ndarray]

# Words that say *what* is asked about a product, never *which* product (folded, plural-stripped).
ASPECTS: dict[str, frozenset[str]] = {
    "price": frozenset("much price prix cost coute couter combien tarif cher expensive euro eur $$$ pricing".split()),
    "size": frozenset("size taille pointure fit fits taillent run small big grand petit sizing".split()),
    "stock": frozenset("stock available availability dispo disponible sold rupture epuise".split()),
    "color": frozenset("colour color couleur coloris colours colors".split()),
    "link": frozenset("link lien buy acheter commander order where purchase site shop".split()),
}
ASPECTS = {name: frozenset(stem(w) for w in words) for name, words in ASPECTS.items()}
ASPECT_WORDS = frozenset().union(*ASPECTS.values())
# The aspect words any product question uses ("how much", "where to buy", "available"): left out when matching
# answers, so that "how much?" does not look like "how much is shipping?". Topic words such as "size" or "shop"
# stay: "where's your shop?" is about the shop.
GENERIC_WORDS = ASPECTS["price"] | ASPECTS["stock"] | frozenset(
    stem(w) for w in "where buy acheter commander order purchase link lien".split())
UNITS = frozenset({"ml", "cl", "l", "g", "kg", "cm", "mm", "oz"})
# With no aspect word, what the intent asks for.
INTENT_ASPECTS = {"pricing": {"price"}, "purchase": {"link"}, "product_question": {"detail"}}
ANSWER_TEXT_WEIGHT = 0.8
# Intents answered from knowledge only when retrieval is sure (a guess helps nobody with a lost parcel).
SURE_ONLY = frozenset({"order_support", "other", "collab"})
LETTER_SIZES = frozenset({"xxs", "xs", "s", "m", "l", "xl", "xxl", "xxxl"})
SIZE_CUES = frozenset({"en", "in", "size", "taille", "a", "t"})


@dataclass(frozen=True)
class Question:
    text: str
    lang: str
    intent: str
    platform: str = "instagram"
    campaign: str | None = None
    post_product: str | None = None  # sku of the product the post is about


@dataclass(frozen=True)
class Thresholds:
    high: float = 0.75  # at or above: sure enough to send where a playbook auto-replies
    low: float = 0.60  # below: no match; between: a draft for a person with the suggestions
    product_mention: float = 0.45  # share of a product name's weight the question must contain to be sure
    product_partial: float = 0.25  # ...to be offered as a candidate
    margin: float = 0.04  # a "high" answer must beat the next different answer by this much


QUESTION_WORDS = frozenset(
    "how what when where which who why do doe does did can could is are will would should any "
    "combien comment quand quel quelle quels quelles pourquoi est vous peut peux on ya".split())


def _asks(raw: list[str], text: str) -> bool:
    """A question, by its mark or its first word."""
    return "?" in text or (bool(raw) and raw[0] in QUESTION_WORDS)


def _name_words(words: list[str]) -> list[str]:
    """The words that name a product: not aspect words, not a size like '30 ml'."""
    out = []
    for i, word in enumerate(words):
        if word in ASPECT_WORDS or word in UNITS or (word.isdigit() and i + 1 < len(words) and words[i + 1] in UNITS):
            continue
        out.append(word)
    return out


class Retriever:
    """Built once per knowledge base (embeds every example question); `ground` is then cheap."""

    def __init__(self, base: KnowledgeBase, embed: Embed | None = None, *, thresholds: Thresholds = Thresholds(),
                 default_lang: str = "en", utm_medium: str = "social", default_campaign: str = "organic") -> None:
        self.base = base
        self.embed = embed
        self.thresholds = thresholds
        self.default_lang = default_lang
        self.utm_medium = utm_medium
        self.default_campaign = default_campaign
        self.examples: list[tuple[int, str]] = [
            (k, question) for k, answer in enumerate(base.answers)
            for questions in answer.questions.values() for question in questions
        ]
        product_docs = [content_tokens(f"{p.name} {p.description}") for p in base.products]
        example_docs = [content_tokens(text) for _, text in self.examples]
        answer_docs = [content_tokens(" ".join(a.answer.values())) for a in base.answers]
        self.vocabulary = Vocabulary([*example_docs, *product_docs, *answer_docs])
        # Example questions compared on their topic words only: "how much" must not make every price
        # question look like "how much is shipping to Ireland?".
        self.name_tokens = [_name_words(self._canonical(content_tokens(p.name))) for p in base.products]
        self.name_words = frozenset(w for name in self.name_tokens for w in name)
        # Product names are left out too: "how do I use the serum?" is about using, whichever serum.
        self.example_tokens = [[w for w in self._canonical(doc) if w not in GENERIC_WORDS | self.name_words]
                               for doc in example_docs]
        # The answer texts count too, by words only and a little less ("newsletter", "Klarna", "call us").
        self.answer_text_tokens = [
            [w for w in self._canonical(content_tokens(" ".join(answer.answer.values())))
             if w not in GENERIC_WORDS | self.name_words]
            for answer in base.answers]
        self.desc_tokens = [set(self._canonical(content_tokens(p.description))) for p in base.products]
        name_vocabulary = Vocabulary(self.name_tokens)
        self.name_weight = name_vocabulary.weight
        # Letter sizes are recognised even when no product has them: "in XL?" is then answered "no XL".
        self.sizes = {s.lower() for p in base.products for s in p.sizes} | LETTER_SIZES
        self.colors = {c.lower(): c for p in base.products for c in p.colors}
        self.example_vectors = self._encode([text for _, text in self.examples])
        self.answer_words = frozenset(w for doc in [*self.example_tokens, *self.answer_text_tokens] for w in doc)

    def _canonical(self, words: list[str]) -> list[str]:
        return [self.vocabulary.canonical(w) for w in words]

    def _encode(self, texts: list[str]) -> np.ndarray | None:
        if self.embed is None or not texts:
            return None
        return np.asarray(self.embed(texts), dtype=np.float32)

    # --- the public calls -------------------------------------------------------------------------------

    def ground_many(self, questions: Sequence[Question]) -> list[Grounding]:
        vectors = self._encode([q.text for q in questions])
        return [self._ground(q, None if vectors is None else vectors[i]) for i, q in enumerate(questions)]

    def ground(self, question: Question) -> Grounding:
        return self.ground_many([question])[0]

    def find_product(self, text: str) -> tuple[Product | None, float]:
        """The product a text (a post caption, a question) names, and how much of its name it contains."""
        scores = self._product_scores(self._canonical(content_tokens(text)))
        if not scores:
            return None, 0.0
        best = max(range(len(scores)), key=scores.__getitem__)
        return self.base.products[best], scores[best]

    def caption_product(self, caption: str) -> str | None:
        """The sku of the one product a post caption names; None when it names none or several (a lookbook)."""
        scores = self._product_scores(self._canonical(content_tokens(caption)))
        named = [k for k, score in enumerate(scores) if score >= self.thresholds.product_mention]
        if len(named) != 1:
            return None
        return self.base.products[named[0]].sku

    # --- scoring ---------------------------------------------------------------------------------------

    def _answer_scores(self, words: list[str], vector: np.ndarray | None) -> list[float]:
        """Per answer: the best of its example questions, meaning and words combined. `words` are the
        question's topic words; a question with none ("prix ?", "how much??") matches no answer."""
        scores = [0.0] * len(self.base.answers)
        if not self.examples or not words:
            return scores
        similarity = None
        if vector is not None and self.example_vectors is not None:
            # Cosines of unrelated short questions sit around 0.2-0.4 with this encoder: rescale so 0.3 -> 0
            # and 0.9 -> 1, then weigh it like the word overlap.
            similarity = np.clip((self.example_vectors @ vector - 0.3) / 0.6, 0.0, 1.0)
        for i, (k, _) in enumerate(self.examples):
            lexical = overlap(words, self.example_tokens[i], self.vocabulary)
            if similarity is None:
                score = lexical
            elif lexical > 0:
                score = 0.5 * float(similarity[i]) + 0.5 * lexical
            else:
                # Meaning alone ("deliver to New York" ~ "ship to the US") is worth a suggestion, rarely more.
                score = 0.6 * float(similarity[i])
            scores[k] = max(scores[k], score)
        for k, doc in enumerate(self.answer_text_tokens):
            scores[k] = max(scores[k], ANSWER_TEXT_WEIGHT * overlap(words, doc, self.vocabulary))
        return scores

    def _product_scores(self, words: list[str]) -> list[float]:
        """Per product: the weighted share of its name the text contains (description words count a little)."""
        present = {w for w in words if w not in ASPECT_WORDS}
        out = []
        for name, description in zip(self.name_tokens, self.desc_tokens, strict=True):
            if not name:
                out.append(0.0)
                continue
            total = sum(self.name_weight(w) for w in name)
            found = sum(self.name_weight(w) for w in name if w in present)
            extra = sum(1 for w in present - set(name) if w in description)
            if found:
                out.append(min(1.0, found / total + 0.1 * min(extra, 2)))
            else:
                # Named the way the description says ("the lip balm" for the Baume lèvres): a candidate, worth
                # at most a mention, when most of what the question says about it is in the description.
                out.append(0.5 * extra / len(present) if present and extra >= 1 and extra / len(present) >= 0.5
                           else 0.0)
        return out

    def _ground(self, question: Question, vector: np.ndarray | None) -> Grounding:
        th = self.thresholds
        raw = tokens(question.text)
        words = self._canonical([t for t in raw if t not in STOPWORDS])
        size = self._asked_size(raw)
        topic = [w for w in words if len(w) > 1 and w not in GENERIC_WORDS and w not in self.name_words and w != size]
        lang = question.lang if question.lang in compose.LANGS else self.default_lang
        answer_scores = self._answer_scores(topic, vector)
        ranked = sorted(range(len(answer_scores)), key=lambda k: -answer_scores[k])
        best_answer = answer_scores[ranked[0]] if ranked else 0.0
        second = answer_scores[ranked[1]] if len(ranked) > 1 else 0.0

        product_scores = self._product_scores(words)
        # Partly named ("the serum" for two serums) still counts: both are offered and a person picks.
        named = sorted((k for k, s in enumerate(product_scores) if s >= th.product_partial),
                       key=lambda k: -product_scores[k])
        aspects = {name for name, cues in ASPECTS.items() if cues & set(raw)}
        color = next((self.colors[w] for w in raw if w in self.colors), None)
        if size:
            aspects.add("size")
        product: Product | None = None
        product_confidence = 0.0
        if named:
            product = self.base.products[named[0]]
            product_confidence = product_scores[named[0]]
        elif question.post_product is not None:
            product = self.base.product(question.post_product)
            product_confidence = 1.0 if product is not None else 0.0

        about_product = product is not None and bool(aspects or question.intent in INTENT_ASPECTS)
        # A policy answer wins over the product facts when it matches clearly better ("how much is shipping
        # to Ireland?" under a sneaker post is about shipping); a product named outright needs a strong answer.
        sure_product = bool(named) and product_confidence >= th.product_mention
        # How strong an answer must be to win over the product's facts: very strong against a product named
        # outright or a concrete size or colour asked of it ("en 39 ?"), strong against the post's product
        # ("this"), merely good against a product half-named ("the serum" of two).
        if not about_product:
            needed = th.low
        elif sure_product or ((size or color) and product is not None):
            needed = 0.78 if not (size or color) else 0.9
        elif named:
            needed = th.low
        else:
            needed = th.high
        answer_wins = best_answer >= max(th.low, needed)
        if answer_wins:
            grounding = self._answer_grounding(question, lang, ranked, answer_scores, best_answer, second, product)
            if question.intent in SURE_ONLY and grounding.level != "high" and not _asks(raw, question.text):
                # A remark filed as `other` or an order problem, with a half-matching policy text, gets no
                # guess; a question the classifier filed there ("do you deliver to Scotland?") gets a draft.
                return Grounding(level="none", confidence=grounding.confidence, suggestions=grounding.suggestions,
                                 post_product=question.post_product)
            return grounding
        if about_product and product is not None:
            # Words neither the product nor any answer knows ("how much are the *workers paid*?") mean the
            # question is about something else: never the product's price as if it were the answer.
            k = self.base.products.index(product)
            known = set(self.name_tokens[k]) | self.desc_tokens[k] | self.answer_words
            unexplained = [w for w in topic if w not in known]
            if len(unexplained) >= 2 and not sure_product:
                if best_answer >= th.low:
                    capped = min(best_answer, th.high - 0.01)  # a guess between product and answer: a draft
                    return self._answer_grounding(question, lang, ranked, answer_scores, capped, second, product)
                return Grounding(level="none", confidence=round(best_answer, 4), post_product=question.post_product,
                                 suggestions=self._suggestions(ranked, answer_scores, lang, skip=None))
            return self._product_grounding(question, lang, product, product_confidence, named, aspects, size, color,
                                           doubtful=bool(unexplained))
        suggestions = self._suggestions(ranked, answer_scores, lang, skip=None)
        return Grounding(level="none", confidence=round(best_answer, 4), suggestions=suggestions,
                         post_product=question.post_product)

    def _asked_size(self, raw: list[str]) -> str | None:
        for i, word in enumerate(raw):
            if word in self.sizes and (len(word) > 1 or (i > 0 and raw[i - 1] in SIZE_CUES)):
                if word.isdigit() and not (i > 0 and raw[i - 1] in SIZE_CUES | {"size", "taille", "pointure"}):
                    continue
                return word
        return None

    def _link(self, question: Question) -> Callable[[str], str]:
        campaign = question.campaign or self.default_campaign
        # No utm_content here: the rendered reply tags it with the interaction's reference, which is what
        # attributes an order to this conversation (moderation.domain.attribution).
        return lambda url: utm_link(url, question.platform, self.utm_medium, campaign)

    def _answer_grounding(self, question: Question, lang: str, ranked: list[int], scores: list[float], best: float,
                          second: float, product: Product | None) -> Grounding:
        th = self.thresholds
        answer = self.base.answers[ranked[0]]
        level = "high" if best >= th.high and best - second >= th.margin else "low"
        if level == "low" and best - second < th.margin:
            # Two answers about as likely: no fact in the draft, both offered to the person as suggestions.
            return Grounding(level="none", confidence=round(min(best, 1.0), 4), post_product=question.post_product,
                             suggestions=self._suggestions(ranked, scores, lang, skip=None))
        out_lang = compose.answer_lang(answer, lang, self.default_lang)
        text = compose.answer_text(answer, out_lang, self.default_lang, self._link(question))
        facts = compose.facts(product, lang) if product is not None else None
        return Grounding(level=level, confidence=round(min(best, 1.0), 4), answer=text, source=f"answer:{answer.id}",
                         product=facts, products=(facts,) if facts else (), human=answer.human,
                         suggestions=self._suggestions(ranked, scores, lang, skip=ranked[0]),
                         post_product=question.post_product)

    def _product_grounding(self, question: Question, lang: str, product: Product, confidence: float,
                           named: list[int], aspects: set[str], size: str | None, color: str | None,
                           doubtful: bool = False) -> Grounding:
        th = self.thresholds
        asked = aspects or INTENT_ASPECTS.get(question.intent, {"price"})
        text = compose.product_answer(product, lang, asked, size=size, color=color,
                                      link=self._link(question))
        # Two products named about as clearly: both facts, and a person picks. A question the catalogue cannot
        # answer (what it is made of, how it washes) gets the description as a suggestion, never a sure answer.
        ambiguous = len(named) > 1 and confidence - 0.1 <= self._product_score(named[1], question)
        if ambiguous:
            other = self.base.products[named[1]]
            text += " " + compose.product_answer(other, lang, asked, size=size, color=color,
                                                 link=self._link(question))
        # Sure only when the question says what it asks ("how much", "link", "en M"): a pricing question
        # without those words under a product post ("is the discount automatic?") may be about something else.
        factual = bool(aspects & {"price", "stock", "size", "color", "link"})
        level = ("high" if factual and not ambiguous and not doubtful and confidence >= th.product_mention
                 else "low")
        others = [self.base.products[k] for k in named[1:3]]
        facts = compose.facts(product, lang)
        return Grounding(level=level, confidence=round(min(confidence, 1.0), 4), answer=text,
                         source=f"product:{product.sku}", product=facts,
                         products=(facts, *(compose.facts(p, lang) for p in others)),
                         suggestions=tuple(f"{p.name}: {compose.price_text(p.price, p.currency, lang)} {p.url}"
                                           for p in others),
                         post_product=question.post_product)

    def _product_score(self, k: int, question: Question) -> float:
        words = self._canonical([t for t in tokens(question.text) if t not in STOPWORDS])
        return self._product_scores(words)[k]

    def _suggestions(self, ranked: list[int], scores: list[float], lang: str, skip: int | None) -> tuple[str, ...]:
        out = []
        for k in ranked[:4]:
            if k == skip or scores[k] < self.thresholds.low * 0.75:
                continue
            answer = self.base.answers[k]
            text = compose.answer_text(answer, compose.answer_lang(answer, lang, self.default_lang),
                                       self.default_lang, lambda url: url)
            out.append(f"[{answer.id}] {text}")
        return tuple(out[:3])


def classifier_embedder(classifier: object) -> Embed | None:
    """The loaded classifier's sentence encoder as an embedding function (the same text preparation it uses),
    or None for a classifier without one (then retrieval is by words alone). The encoder is wrapped once so that
    it remembers its latest outputs: questions the classifier has just scored are not encoded twice."""
    encoder = getattr(classifier, "encoder", None)
    if encoder is None:
        return None
    from moderation.classifier.model import encode_outputs
    from moderation.knowledge.embeddings import RememberingEncoder

    if not isinstance(encoder, RememberingEncoder):
        encoder = RememberingEncoder(encoder)
        classifier.encoder = encoder  # type: ignore[attr-defined]
    shared = encoder
    return lambda texts: encode_outputs(shared, texts)["embedding"]

