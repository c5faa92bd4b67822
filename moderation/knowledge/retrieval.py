"""Grounded retrieval: the best answers and products for a question, with a confidence the playbooks act on.

Two signals, combined: the classifier's own sentence encoder (meaning: "do you deliver to Dublin?" near "how
much is shipping to Ireland?") and typo-tolerant word overlap without accents (names: "serun eclat" is the
"Sérum Éclat"). A question about a product's price, stock, sizes, colours or link is answered from the
catalogue row of the product it names, else of the post it is under ("how much is this?"). The answers'
indexes and scoring are in `answer_index`; this module adds the products and decides between them.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from moderation.domain import Alternative, Grounding
from moderation.domain.attribution import utm_link
from moderation.knowledge import compose
from moderation.knowledge.answer_index import AnswerScoring, word_form
from moderation.knowledge.files import KnowledgeBase, Product
from moderation.knowledge.judge import (
    CandidateIndex,
    Judge,
    JudgeEncoder,
    Pick,
    SameEncoder,
    candidate_features,
    semantic_features,
)
from moderation.knowledge.lexicon import MARK, Lexicon, default_lexicon
from moderation.knowledge.text import STOPWORDS, Vocabulary, content_tokens, fold, stem, tokens

logger = logging.getLogger(__name__)

Embed = Callable[[Sequence[str]], np.ndarray]

# Words that say *what* is asked about a product, never *which* product (folded, plural-stripped).
ASPECTS: dict[str, frozenset[str]] = {
    "price": frozenset("much price prix cost coute couter combien tarif cher expensive euro eur $$$ pricing".split()),
    "size": frozenset("size taille pointure fit fits taillent run small big grand petit sizing".split()),
    # "Do you have / sell / carry X?" asks whether it is there to buy.
    # "Il en reste ?" / "any left?" is the commonest way to ask it, and not the "reste de l'Europe" of a shipping
    # answer.
    "stock": frozenset("stock available availability dispo disponible sold rupture epuise have avez sell sells "
                       "vendez carry reste restent left remaining".split()),
    "color": frozenset("colour color couleur coloris colours colors shade shades nuance nuances".split()),
    "link": frozenset("link lien buy acheter commander order where purchase site shop".split()),
}
ASPECTS = {name: frozenset(stem(w) for w in words) for name, words in ASPECTS.items()}
ASPECT_WORDS = frozenset().union(*ASPECTS.values())
# The aspect words any product question uses ("how much", "where to buy", "available"): left out when matching
# answers, so that "how much?" does not look like "how much is shipping?". Topic words such as "size" or "shop"
# stay: "where's your shop?" is about the shop.
GENERIC_WORDS = ASPECTS["price"] | ASPECTS["stock"] | frozenset(
    stem(w) for w in ("where buy acheter commander commande order ordered orders purchase link lien sell vendez "
                      "vendre vends").split())
QUESTION_ASPECT_WORDS = ASPECT_WORDS | GENERIC_WORDS
UNITS = frozenset({"ml", "cl", "l", "g", "kg", "cm", "mm", "oz"})
# Words that ask a measure a catalogue writes among its sizes ("4 x 50 ml", "W27 L29", "130 cm"): "combien de ml
# chaque ?", "il mesure combien ?", "what's the inseam?", "any bigger?". A product's reply then lists its sizes.
# They shape the reply only; which fact is picked does not depend on them.
MEASURE_WORDS = frozenset(stem(w) for w in (
    "mesure mesures mesurer measure measures measurement dimension dimensions bigger biggest smaller larger gros "
    "grosse longueur length inseam entrejambe hauteur height tall largeur width poids weight weigh contenance "
    "capacity volume gramme grammes gram grams ml cl litre litres liter liters waist diameter diametre").split())
# Words that ask which sizes ("what sizes?", "how big is it?"): its sizes, unless the question names one.
SIZE_WORDS = frozenset(stem(w) for w in "size sizes sizing taille tailles pointure grandeur grandeurs big".split())
# Words that ask which size a thing is ("what size is this one?", "c'est quelle grandeur?"), and words that ask how
# sizes fit instead ("does it run small?"), which a sizing guide answers even for a product sold in one size.
ONE_SIZE_ASKED = SIZE_WORDS - {"big", "sizing"}
FIT_WORDS = frozenset(stem(w) for w in "fit fits run runs small big large grand petit taillent guide".split())
# With no aspect word, what the intent asks for.
INTENT_ASPECTS = {"pricing": {"price"}, "purchase": {"link"}, "product_question": {"detail"}}
ASKING_INTENTS = frozenset(INTENT_ASPECTS)  # a message filed under one of these asks something, "?" or not
PRODUCT_FIT = 0.5  # a product only described must explain this much of the question
FACTUAL_ASPECTS = frozenset({"price", "stock", "size", "color", "link"})  # what a catalogue row answers
PRODUCT_TIE = 0.05  # two products named within this much of each other are named as much
SOLD_ASPECTS = frozenset({"price", "stock", "link"})  # what only the catalogue row says of a product
NICKNAME_LENGTH = 4  # shorter description words ("the", "9 l", "gsm") are too common to name a product

# Intents whose unsure answer is no help unless the message asks something: a remark filed as `other` with a
# half-matching policy text gets nothing. An order problem or a complaint is drafted for a person anyway.
REMARK_INTENTS = frozenset({"other", "collab", "praise"})
# Met by its shop topic alone and a word nobody knows ("parking near the shop"), an answer needs this much to be
# sent alone (words and meaning both close: "what currency are your prices shown in" is 0.84).
TOPIC_ALONE_HIGH = 0.8
# A message this long tells a story around its question: the product it asks about is named in the question.
STORY_LENGTH = 100
# The shop topics an intent is about: an answer asked as one of them, for a message of that intent naming it, is
# likely the answer (a draft at least).
INTENT_TOPICS = {"refund": ("return", "refund"), "complaint": ("damaged",), "order_support": ("damaged",)}
LETTER_SIZES = frozenset({"xxs", "xs", "s", "m", "l", "xl", "xxl", "xxxl"})
SIZE_CUES = frozenset({"en", "in", "size", "taille", "a", "t"})
ALTERNATIVES = 2  # facts offered ready to send instead of the draft's: the approval card's buttons
LIKELY = 0.1  # a candidate the judge gives this much is offered as an alternative before the rules' suggestions



@dataclass(frozen=True)
class Question:
    text: str
    lang: str
    intent: str
    platform: str = "instagram"
    campaign: str | None = None
    post_product: str | None = None  # sku of the product the post is about
    post_products: tuple[str, ...] = ()  # every product the post's caption names, when it names several
    limit: int | None = None  # the most characters the platform takes for the reply (a TikTok comment: 150)


@dataclass
class Evidence:
    """The rules' scores of every answer and product for one question, for the judge to weigh."""

    answers: list[float] = field(default_factory=list)
    products: list[float] = field(default_factory=list)
    # The question's topic as the rules read it: how much of it each candidate explains is worked out only for
    # the questions the judge rules on (`Retriever.agreement`).
    topic: list[str] = field(default_factory=list)


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


# A decimal ("a 42.5", "du 38,5") is a half size or a measure, and a percentage ("30% on everything?") a discount:
# never one of the catalogue's sizes.
_PERCENT = re.compile(r"\d+\s*%")
_NOT_A_SIZE = re.compile(rf"\d+[.,]\d+|{_PERCENT.pattern}")
_UNIT_SIZE = re.compile(r"^\d+(ml|cl|l|g|kg|oz)$")  # a size with its unit, "250g", "50ml"


def _question_sentences(text: str) -> list[str]:
    """The sentences of a message of several that ask something; none for a one-sentence message."""
    sentences = [part.strip() for part in re.findall(r"[^.!?\n]+[.!?\n]*", text) if part.strip()]
    if len(sentences) < 2:
        return []
    return [sentence for sentence in sentences if _asks(tokens(sentence), sentence)]


# Where a sentence ends in a message: its punctuation, or an emoji, which people type instead of a full stop
# ("box was soaked 😩 what do I do").
_SENTENCE_END = re.compile(r"[.!\n\u2026]+|[\u2600-\u27bf\U0001f000-\U0001faff]+")


def asks_question(text: str) -> bool:
    """Whether a message asks something (a question mark, or a sentence opening with a question word)."""
    if "?" in text:
        return True
    return any(_asks(tokens(sentence), sentence) for sentence in _SENTENCE_END.split(text) if sentence.strip())


def _proper_nouns(text: str) -> list[str]:
    """The folded words of a text written with a capital where a sentence does not start ("... (la Tadou)")."""
    found = []
    for sentence in re.split(r"[.!?;:]\s+", text):
        words = sentence.replace("(", " ").replace(",", " ").split()
        found += [w for w in words[1:] if w[:1].isupper()]
    return [t for w in found for t in tokens(w)]


def _bracketed(text: str) -> list[str]:
    """The folded words a text puts in brackets ("... (le déo, la BB crème)")."""
    return [t for inside in re.findall(r"\(([^)]*)\)", text) for t in tokens(inside) if t not in STOPWORDS]


def _name_words(words: list[str]) -> list[str]:
    """The words that name a product: not aspect words, not a size like '30 ml'."""
    out = []
    for i, word in enumerate(words):
        if word in ASPECT_WORDS or word in UNITS or (word.isdigit() and i + 1 < len(words) and words[i + 1] in UNITS):
            continue
        out.append(word)
    return out


class Retriever(AnswerScoring):
    """Built once per knowledge base (embeds every example question); `ground` is then cheap."""

    def __init__(self, base: KnowledgeBase, embed: Embed | None = None, *, thresholds: Thresholds = Thresholds(),
                 default_lang: str = "en", utm_medium: str = "social", default_campaign: str = "organic",
                 lexicon: Lexicon | None = None, judge: Judge | None = None,
                 judge_encoder: JudgeEncoder | None = None) -> None:
        self.base = base
        self.embed = embed
        # The judge reads the classifier's embeddings and its own encoder's (the classifier's again when it has
        # none); without the classifier's, retrieval is the rules' alone. An encoder without a judge indexes the
        # candidates all the same: what the judge is trained on (bench.knowledge_judge).
        self.judge = judge if embed is not None else None
        self.judge_encoder = judge_encoder
        self.candidates = CandidateIndex(base, SameEncoder(embed)) \
            if embed is not None and (judge is not None or judge_encoder is not None) else None
        self.judge_candidates = self.candidates if judge_encoder is None or self.candidates is None \
            else CandidateIndex(base, judge_encoder)
        self.candidate_names = [*(a.id for a in base.answers), *(p.name for p in base.products)]
        self.thresholds = thresholds
        self.default_lang = default_lang
        self.utm_medium = utm_medium
        self.default_campaign = default_campaign
        self.examples: list[tuple[int, str]] = [
            (k, question) for k, answer in enumerate(base.answers)
            for questions in answer.questions.values() for question in questions
        ]
        self.lexicon = lexicon if lexicon is not None else default_lexicon()
        self._weight_cache: dict[frozenset[str], dict[str, float]] = {}
        # Topic and place markers ("#shipping", "#ie") of every text, so that other words for the same topic
        # and a city for its country meet (moderation.knowledge.lexicon).
        example_marks = [self.lexicon.mention(text).markers() for _, text in self.examples]
        answer_marks = [self.lexicon.mention(" ".join(a.answer.values())).markers() for a in base.answers]
        product_docs = [content_tokens(f"{p.name} {p.description}") for p in base.products]
        example_docs = [content_tokens(text) for _, text in self.examples]
        answer_docs = [content_tokens(" ".join(a.answer.values())) for a in base.answers]
        self.vocabulary = Vocabulary([*(d + m for d, m in zip(example_docs, example_marks, strict=True)),
                                      *product_docs,
                                      *(d + m for d, m in zip(answer_docs, answer_marks, strict=True))])
        # Example questions compared on their topic words only: "how much" must not make every price
        # question look like "how much is shipping to Ireland?".
        self.name_tokens = [_name_words(self._canonical(content_tokens(p.name))) for p in base.products]
        self.name_words = frozenset(w for name in self.name_tokens for w in name)
        self.name_counts = Counter(w for name in self.name_tokens for w in set(name))
        self._index_answers(base.answers, example_docs, answer_docs, example_marks, answer_marks, GENERIC_WORDS)
        self.desc_tokens = [set(self._canonical(content_tokens(p.description))) for p in base.products]
        # The shop's one answer asked as a restock ("when will it be back in stock?"), if it has exactly one: what a
        # sold-out product's reply adds when its return is asked.
        restocks = [k for k, union in enumerate(self.example_union) if MARK + "restock" in union]
        self.restock_answer = base.answers[restocks[0]] if len(restocks) == 1 else None
        self.product_forms = [
            {word_form(w) for w in [*self._canonical(content_tokens(p.name)), *desc]}
            | set(self.lexicon.mention(f"{p.name} {p.description}").markers())
            for p, desc in zip(base.products, self.desc_tokens, strict=True)]
        name_vocabulary = Vocabulary(self.name_tokens)
        self.name_weight = name_vocabulary.weight
        # Letter sizes are recognised even when no product has them: "in XL?" is then answered "no XL".
        self.sizes = {compose.size_key(s) for p in base.products for s in p.sizes} | LETTER_SIZES
        # The units the catalogue's sizes are in ("100 g"): "dispo en 250g ?" asks a size, even one not sold.
        self.size_units = frozenset(m.group(1) for s in self.sizes if (m := _UNIT_SIZE.match(s)))
        # Colours by any of their names in English or French ("noyer" for walnut), and a colour of several
        # words by its last one ("black" for matte black) unless a product has that colour outright.
        self.colors = {fold(c): c for p in base.products for c in p.colors}
        for p in base.products:
            for c in p.colors:
                words = fold(c).split()
                for alias in {words[-1], *self.lexicon.colors.get(fold(c), ()),
                              *self.lexicon.colors.get(words[-1], ())}:
                    self.colors.setdefault(alias, c)
        # ...and as a question's words read them (plural-stripped: "gris" is "gri", "gris foncé" "gri fonce").
        self.colors.update({" ".join(tokens(alias)): c for alias, c in list(self.colors.items())
                            if " ".join(tokens(alias)) not in self.colors})
        # A capitalised word inside a description (not opening a sentence) that only this product has and no
        # answer uses is a name it goes by ("la Tadou" for the Fatbike Tadoussac, "Shimano"); common
        # description words ("snow", "front") are not: they describe, they do not name.
        described = Counter(w for name, desc in zip(self.name_tokens, self.desc_tokens, strict=True)
                            for w in set(name) | desc)
        # So is a word the description puts in brackets, where a shop writes what customers call it ("(le déo)",
        # "(la BB crème)"): short ones too, since the brackets say it is a name. Not a colour or a size
        # ("ceramic (white)" says which variant), hence after those are known.
        self.nicknames = [
            frozenset(w for w, shortest in [
                *((w, NICKNAME_LENGTH) for w in self._canonical(_proper_nouns(p.description))),
                *((w, 2) for w in self._canonical(_bracketed(p.description)))]
            if described[w] == 1 and len(w) >= shortest and not w.isdigit() and w not in UNITS
            and w not in self.answer_all_words and w not in STOPWORDS and w not in ASPECT_WORDS
            and w not in GENERIC_WORDS and w not in self.colors and w not in self.sizes
            and w not in self.lexicon.colors and not self._names_topic(w))
            for p in base.products]
        self.example_vectors = self._encode([text for _, text in self.examples])
        # Words only one language's example questions use, to tell the language of a short question.
        by_lang: dict[str, set[str]] = {}
        for answer in base.answers:
            for code, texts in answer.questions.items():
                by_lang.setdefault(code, set()).update(w for text in texts for w in tokens(text))
        self.lang_words = {code: frozenset(words - set().union(*(v for c, v in by_lang.items() if c != code)))
                           for code, words in by_lang.items() if code in compose.LANGS}
        self.answer_words = frozenset(w for doc in [*self.example_tokens, *self.answer_text_tokens] for w in doc)

    def _canonical(self, words: list[str]) -> list[str]:
        # A word that says what is asked ("price", "colour") is never a typo of a knowledge-base word: "price"
        # one letter from "privé" in an answer's text made "price for the mask?" lose its aspect.
        return [w if w in QUESTION_ASPECT_WORDS else self.vocabulary.canonical(w) for w in words]

    def _unknown(self, word: str) -> bool:
        """A word no answer or product uses (typos already forgiven): something the knowledge base does not know."""
        return (len(word) >= 4 and not word.isdigit() and not word.startswith(MARK)
                and word not in self.vocabulary.idf and word_form(word) not in self.match_vocabulary.idf)

    def _by_topic_alone(self, k: int, topic: list[str]) -> bool:
        """Answer k meets the question by its shop topic only (#shop), none of its other words, one of which
        nobody's answer knows ("is there parking near the shop?" and the shop's address): maybe the answer, but
        unless meaning is close too (TOPIC_ALONE_HIGH), a draft for a person, never sent unchecked."""
        plain = [w for w in topic if not w.startswith(MARK)]
        return (any(self._unknown(w) for w in plain) and not any(self._covers(word_form(w), k) for w in plain)
                and any(self._covers(word_form(w), k) for w in topic if w.startswith(MARK)))

    def _instead_of_post_product(self, k: int, topic: list[str], question: Question, aspects: set[str],
                                 named: list[int]) -> bool:
        """The price of "this" asked under a product's post, and an answer winning by a plain word, no shop topic
        ("c'est combien le paquet ?" meets the gift-wrap answer by "paquet"): maybe that answer, maybe the post's
        product; a draft for a person."""
        if question.post_product is None or named or not aspects & SOLD_ASPECTS:
            return False
        return not any(self._covers(word_form(w), k) for w in topic if w.startswith(MARK))

    def _intent_agrees(self, intent: str, topic: list[str], scores: list[float]) -> None:
        """The classifier and the words agree: a refund request naming a return ("can I send it back?") and the
        answer asked as a return, or a complaint naming a damaged parcel and the damaged-order answer, is that
        answer at least as a draft, however many other words the message has ("opened the earl grey and don't
        love it")."""
        marks = {MARK + topic_name for topic_name in INTENT_TOPICS.get(intent, ())} & set(topic)
        if not marks:
            return
        for k in range(len(scores)):
            if marks & self.example_union[k]:
                scores[k] = max(scores[k], self.thresholds.low + 0.01)

    def agreement(self, evidence: Evidence) -> tuple[list[float], list[float]]:
        """How much of the question each candidate (answers, then products) explains, for the judge: its share of
        the question's topic, and of the shop topics and places the question names ("is it free to send stuff
        back? I'm in Brussels" names returns, which the EU shipping answer does not cover)."""
        topic = evidence.topic
        marks = [word_form(w) for w in topic if w.startswith(MARK)]
        answers = range(len(self.base.answers))
        coverage = [self._coverage(k, topic) for k in answers] + [
            self._product_fit(k, topic) for k in range(len(self.base.products))]
        topics = [sum(self._covers(m, k) > 0 for m in marks) / len(marks) if marks else 0.0 for k in answers] + [
            sum(m in forms for m in marks) / len(marks) if marks else 0.0 for forms in self.product_forms]
        return coverage, topics

    def _words(self, raw: list[str]) -> list[str]:
        """What a text says, as the knowledge base reads it: no stopwords, French glossed, typos forgiven."""
        return self._canonical(self._glossed([t for t in raw if t not in STOPWORDS]))

    def _glossed(self, words: list[str]) -> list[str]:
        """French words the knowledge base does not use, read as the English words it does ("théière" is the
        "Teapot", "fumé" the "pine-smoked" tea of a catalogue described in English); every other word as is."""
        out = []
        for word in words:
            # A word that names a shop topic or a place is already read as that (#return for "renvoyer").
            english = () if self._names_topic(word) else self.lexicon.gloss.get(word, ())
            if word in self.vocabulary.idf:
                # Known as it is from an answer (a French answer says "théière"), and still the product named in
                # English; a word the catalogue itself uses ("déca" of the decaf) already says which product.
                catalogued = any(word in desc for desc in self.desc_tokens) or word in self.name_words
                out += [word, *(w for w in english if w in self.name_words and w != word and not catalogued)]
                continue
            known = [w for w in english if w in self.vocabulary.idf and w not in STOPWORDS]
            out.extend(known or [word])
        return out

    def _names_topic(self, word: str) -> bool:
        """Whether a word names a shop topic or a place ("waterproof" does not; "gift" or "Gaspésie" may)."""
        mention = self.lexicon.mention(word)
        return bool(mention.concepts or mention.countries or mention.regions)

    def _encode(self, texts: list[str]) -> np.ndarray | None:
        if self.embed is None or not texts:
            return None
        return np.asarray(self.embed(texts), dtype=np.float32)

    # --- the public calls -------------------------------------------------------------------------------

    def ground_many(self, questions: Sequence[Question]) -> list[Grounding]:
        """One grounding per question, each with the alternatives a person may send instead in one click."""
        return [self._with_alternatives(question, grounding, likely)
                for question, (grounding, likely) in zip(questions, self._ground_many(questions), strict=True)]

    def _ground_many(self, questions: Sequence[Question]) -> list[tuple[Grounding, tuple[str, ...]]]:
        """Each question's grounding, with the candidates the judge found likeliest (none when it did not rule)."""
        vectors = self._encode([q.text for q in questions])
        if self.judge is None or not questions:
            return [(self._ground(q, None if vectors is None else vectors[i]), ())
                    for i, q in enumerate(questions)]
        grounded = []
        for k, question in enumerate(questions):
            evidence = Evidence()
            grounded.append((self._ground(question, None if vectors is None else vectors[k], evidence), evidence))
        # Only what the judge has to rule on is embedded by its own encoder (about 10 ms a message for e5, more
        # than the rest of the worker): a pick the rules are sure of stays theirs, and where they found nothing
        # the judge offers a fact of its own only to a message that asks something. It was trained on questions
        # alone; a remark ("love the colours 😍") is no question of its to answer.
        pending = [k for k, (grounding, _) in enumerate(grounded)
                   if self.judge.rules_on(pick_of(grounding, questions[k].intent), self._asks(questions[k]))]
        if vectors is None or not pending:
            return [(grounding, ()) for grounding, _ in grounded]
        own = vectors[pending] if self.judge_encoder is None else \
            np.asarray(self.judge_encoder.query([questions[k].text for k in pending]), dtype=np.float32)
        rows = [self.judge_features(questions[k], grounded[k][0], vectors[k], own[i], grounded[k][1])
                for i, k in enumerate(pending)]
        # One call for the batch: a tree model's fixed cost per call is several times a question's own.
        scores = np.split(self.judge.probabilities(np.vstack(rows)), np.cumsum([len(r) for r in rows])[:-1])
        judged = dict(zip(pending, scores, strict=True))
        return [(self._judged(questions[k], grounding, judged[k]), self._likeliest(judged[k])) if k in judged
                else (grounding, ()) for k, (grounding, _) in enumerate(grounded)]

    def _likeliest(self, probabilities: np.ndarray) -> tuple[str, ...]:
        """The candidates the judge gives at least LIKELY, likeliest first: what a person most probably wants to
        send when the draft's fact is not it."""
        assert self.candidates is not None
        order = np.argsort(-probabilities, kind="stable")
        return tuple(self.candidates.ids[k] for k in order[:ALTERNATIVES + 1] if probabilities[k] >= LIKELY)

    @staticmethod
    def _asks(question: Question) -> bool:
        return question.intent in ASKING_INTENTS or asks_question(question.text)

    def ground_with_evidence(self, question: Question) -> tuple[Grounding, Evidence, np.ndarray | None]:
        """The rules' grounding (never judged), their scores and the question's embedding: what the judge is
        trained on (bench.knowledge_judge)."""
        vectors = self._encode([question.text])
        vector = None if vectors is None else vectors[0]
        evidence = Evidence()
        return self._ground(question, vector, evidence), evidence, vector

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
        named = self.caption_products(caption)
        return named[0] if len(named) == 1 else None

    def caption_products(self, caption: str) -> tuple[str, ...]:
        """Every product a caption names, in catalogue order. Variants of one product (the same name but for a
        size, "Sérum 30 ml" and "Sérum 50 ml") count once: the variant the caption names, else the first."""
        words = self._canonical(content_tokens(caption))
        scores = self._product_scores(words)
        named = [k for k, score in enumerate(scores) if score >= self.thresholds.product_mention]
        # A product named in full ("Crème Teintée Fourvière, quatre teintes") is the post's; another named by one
        # of its words only ("teintes", a word of the "Baume Teinté") is not.
        whole = [k for k in named if len(self.name_tokens[k]) >= 2 and set(self.name_tokens[k]) <= set(words)]
        if whole:
            named = whole
        variants: dict[tuple[str, ...], list[int]] = {}
        for k in named:
            variants.setdefault(tuple(sorted(self.name_tokens[k])), []).append(k)
        said = set(tokens(caption))
        chosen = sorted(max(group, key=lambda k: (len(set(tokens(self.base.products[k].name)) & said), -k))
                        for group in variants.values())
        return tuple(self.base.products[k].sku for k in chosen)

    # --- scoring ---------------------------------------------------------------------------------------

    def _product_fit(self, k: int, words: list[str]) -> float:
        """The share of the question's topic (weighted as for answers) the product's name and description
        explain: "what does the gift set cost" is the gift set described as such, not the gift cards."""
        forms = {word_form(w) for w in words}
        if not forms:
            return 0.0
        weights = {w: self._match_weight(w) for w in forms}
        return sum(v for w, v in weights.items() if w in self.product_forms[k]) / sum(weights.values())

    def _explains(self, k: int, word: str) -> bool:
        return word_form(word) in self.product_forms[k]

    def _product_scores(self, words: list[str]) -> list[float]:
        """Per product: the weighted share of its name the text contains (description words count a little)."""
        present = {w for w in words if w not in ASPECT_WORDS and w not in GENERIC_WORDS}
        # A measure ("for someone around 110 kg") says which size, not which product: not counted against a
        # description that names the product ("snowshoes").
        measures = {w for w in present if w.isdigit() or w in UNITS}
        out = []
        for name, description, nickname in zip(self.name_tokens, self.desc_tokens, self.nicknames, strict=True):
            if not name:
                out.append(0.0)
                continue
            total = sum(self.name_weight(w) for w in name)
            found = sum(self.name_weight(w) for w in name if w in present)
            # A colour in the description ("ceramic (white)") says which variant, not which product.
            # So does a size ("dispo en M ?" is not the snowshoe whose description says "M up to 90 kg").
            extra = sum(1 for w in present - set(name)
                        if w in description and w not in self.colors and w not in self.sizes and len(w) > 1)
            if found:
                score = found / total
                matched = [w for w in name if w in present]
                if all(w in self.colors or w in self.lexicon.colors for w in matched):
                    # A colour alone says which variant, never which product: "dispo en noir ?" under a t-shirt
                    # is not the "Intégrale noir & blanc" album.
                    out.append(min(score, self.thresholds.product_partial))
                    continue
                if any(self.name_counts[w] == 1 and w not in self.answer_all_words and len(w) >= 3
                       for w in matched):
                    # A word only this product's name has, and no answer uses ("the comandante"), names it.
                    score = max(score, self.thresholds.product_mention)
                elif all(w in self.answer_all_words for w in matched):
                    # Only words the answers use too ("le sérum", "the 01", "les soins"): maybe the product, maybe
                    # the topic of an answer about it; a candidate, not a sure mention (unless described too).
                    score = min(score, self.thresholds.product_mention - 0.01)
                out.append(min(1.0, score + 0.1 * min(extra, 2)))
            else:
                # Named the way the description says ("the lip balm" for the Baume lèvres): a candidate, worth
                # at most a mention, when most of what the question says about it is in the description.
                said = len(present - measures)
                described = 0.5 * extra / said if said and extra >= 1 and extra / said >= 0.5 else 0.0
                if present & nickname:  # its nickname: named, as by a word of its name
                    described = max(described, self.thresholds.product_mention)
                out.append(described)
        return self._longest_names(out, present)

    def _longest_names(self, scores: list[float], present: set[str]) -> list[float]:
        """A whole name of two words or more names its product outright, even when the answers use each of its
        words ("La Crème Sensible" in a caption); but a name said in full inside a longer name said in full is that
        longer product ("la recharge de la crème sensible" is the refill): the shorter stays a candidate."""
        whole = [k for k, name in enumerate(self.name_tokens) if name and set(name) <= present]
        out = [*scores]
        for k in whole:
            name = set(self.name_tokens[k])
            if any(name < set(self.name_tokens[j]) for j in whole):
                out[k] = min(out[k], self.thresholds.product_partial)
            elif len(name) >= 2:
                out[k] = max(out[k], self.thresholds.product_mention)
        return out

    def _ground(self, question: Question, vector: np.ndarray | None, evidence: Evidence | None = None) -> Grounding:
        th = self.thresholds
        raw = tokens(question.text)
        words = self._words(raw)
        size = self._asked_size(question.text)
        lang = self._lang(question, raw)
        product_scores = self._product_scores(words)
        sentences = _question_sentences(question.text)
        for sentence in sentences if len(question.text) >= STORY_LENGTH else ():
            # A long message names the product in the sentence that asks ("Looking for a present for my sister.
            # Is the discovery box still available?"): the story around it does not make it less named.
            said = self._product_scores(self._words(tokens(sentence)))
            product_scores = [max(a, b) for a, b in zip(product_scores, said, strict=True)]
        # Partly named ("the serum" for two serums) still counts: both are offered and a person picks.
        named = sorted((k for k, s in enumerate(product_scores) if s >= th.product_partial),
                       key=lambda k: -product_scores[k])
        aspects = {name for name, cues in ASPECTS.items() if cues & set(raw)}
        # A colour of two words first ("gris foncé" is charcoal, not grey), then of one.
        pairs = [f"{a} {b}" for a, b in zip(raw, raw[1:], strict=False)]
        color = next((self.colors[w] for w in [*pairs, *raw] if w in self.colors), None)
        if size:
            aspects.add("size")
        if color:
            aspects.add("color")  # "la tasse en écru ?" asks for that colour
        product: Product | None = None
        product_confidence = 0.0
        post_sku = question.post_product
        if post_sku is None and question.post_products:
            candidate, _ = self._post_candidate(question.post_products, size, color)
            post_sku = candidate.sku if candidate is not None else None
        post_first = False  # the post's product put before a product the question only describes
        if named and post_sku is not None and (product_scores[named[0]] < th.product_mention
                                               or not self._named_by(named[0], words)):
            # Only described ("the gift set", "ce petit pot" of a deodorant in a glass pot), under a post about a
            # product: the post's product, which the description most likely means, and the described one as
            # the other candidate.
            post = self.base.product(post_sku)
            if post is not None:
                k = self.base.products.index(post)
                # Another product only described ("ce petit pot"): "this" is the post's, asked as of the post.
                post_first = k != named[0] and not self._named_by(named[0], words)
                named = [k, *(j for j in named if j != k)]
                product_scores = [*product_scores]
                product_scores[k] = max(product_scores[k], th.product_partial)
        picked_by_variant = False
        if len(named) > 1 and (size or color):
            # Several products named about as well, a size or colour asked that only one has ("le rouge baume en
            # nude ?" of two balms): that one, as a post with several products picks by it.
            fitting = [k for k in named if self._has_variant(self.base.products[k], size, color)]
            picked_by_variant = len(fitting) == 1 and product_scores[fitting[0]] >= product_scores[named[0]] - 0.1
            if picked_by_variant:
                named = [fitting[0], *(k for k in named if k != fitting[0])]
        if named:
            product = self.base.products[named[0]]
            product_confidence = product_scores[named[0]]
        elif question.post_product is not None:
            product = self.base.product(question.post_product)
            product_confidence = 1.0 if product is not None else 0.0
        elif question.post_products:
            product, product_confidence = self._post_candidate(question.post_products, size, color)
        if (color and named and product is not None and question.intent not in ASKING_INTENTS
                and not ASPECTS["color"] & set(raw)
                and all(self._in_name(product, w) for w in [*pairs, *raw] if w in self.colors)):
            # A colour word of the name of the product named ("the grey knit", "le manteau camel") names it: an order
            # problem, a complaint or a remark naming it that way asks nothing of the product ("Ordered the grey
            # knit on Monday, still no shipping email"). The colour itself stays: it still raises the bar an answer
            # must clear against that product.
            aspects.discard("color")
        # A size or colour asked of a product ("en 39 ?", "in navy?") is about that product, not a sizing policy.
        attribute = product is not None and bool(size or color)
        attribute_words = {size, *(w for p in pairs if p in self.colors for w in p.split()),
                           *(w for w in raw if w in self.colors)} if attribute else set()
        dropped = {"size"} if attribute else set()
        if product is not None and (named or question.post_product) and "restock" in self.lexicon.mention(
                question.text).concepts:
            # "Is the Parka back in stock?", "le manteau revient quand ?": a product's stock is its catalogue row.
            aspects.add("stock")
            dropped.add("restock")
        topic = self._topic_of(question.text, words, attribute_words, dropped)
        answer_scores = self._answer_scores(topic, vector)
        # A long message asks its question in one sentence ("Love your café! Do you sell vouchers? Need a
        # present"): that sentence alone, when it matches better than the whole message, is the topic.
        sentence_topics = [self._topic_of(sentence, self._words(tokens(sentence)), attribute_words, dropped)
                           for sentence in sentences]
        for sentence_topic in sentence_topics:
            focus = [*sentence_topic]  # a copy: the sentence's own topic is read again below
            if all(self._is_place(w) for w in focus):
                continue  # "Ça existe chez vous ?": the sentence says nothing of its own
            # The places the rest of the message names still say where ("He lives in Manchester. What's postage?").
            focus += [w for w in topic if self._is_place(w) and w not in focus]
            # The message's own embedding: encoding each sentence too would cost the worker a second pass.
            focused = self._answer_scores(focus, vector)
            if focused and max(focused) > max(answer_scores, default=0.0):
                topic, answer_scores = focus, focused
        # What the sentences that ask say, without the story around them (the whole topic for one sentence).
        asked = [w for sentence_topic in sentence_topics for w in sentence_topic] if sentence_topics else topic
        self._intent_agrees(question.intent, topic, answer_scores)
        ranked = self._rank(answer_scores, topic, {w for w in words if w in self.name_words})
        # A topic the lexicon knows and no answer or product covers ("vous recrutez ?" of a shop without a jobs
        # answer): the question is about that, so no answer about something else is offered as the fact, unless
        # one covers most of the question anyway.
        if (self._uncovered_topic(question.text) and ranked
                and self._coverage(ranked[0], topic, text_words=0.5) < PRODUCT_FIT):
            answer_scores = [min(score, th.low - 0.01) for score in answer_scores]
        if evidence is not None:
            evidence.answers, evidence.products, evidence.topic = list(answer_scores), list(product_scores), topic
        best_answer = answer_scores[ranked[0]] if ranked else 0.0
        second = answer_scores[ranked[1]] if len(ranked) > 1 else 0.0

        about_product = product is not None and bool(aspects or question.intent in INTENT_ASPECTS)
        # Its size asked of a product sold in one ("what size is this one?" of a second-hand sweater in XL): the
        # catalogue row says it, so a sizing guide wins only for what else the question asks. Not how sizes fit
        # ("does it run small?"), which the guide answers.
        one_size = (product is not None and len(product.sizes) == 1 and size is None
                    and bool(ONE_SIZE_ASKED & set(raw)) and not FIT_WORDS & set(raw))
        told = [w for w in asked if not (one_size and w == MARK + "size")]  # what the catalogue row does not say
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
        elif named and not post_first:
            needed = th.low
        else:
            needed = th.high
        answer_wins = best_answer >= max(th.low, needed)
        if answer_wins and about_product and product is not None and ranked:
            # The product explains the question better than the answer does: its facts, not the answer.
            k = self.base.products.index(product)
            if one_size:
                answer_wins = self._coverage(ranked[0], told) > 0
            elif sure_product and aspects & SOLD_ASPECTS:
                # Its price or stock asked of a product named outright ("how much is the Chic-Chocs jacket?"):
                # the product, unless the answer covers something of the question the product does not explain
                # ("how much is shipping for the Chic-Chocs?"). Of a message of several sentences, what those
                # that ask say: "le baume il est à combien ? je l'ai pas trouvé en boutique samedi" asks the
                # balm's price, and the shop on Saturday is the story around it, not the opening hours.
                answer_wins = self._coverage(ranked[0], [w for w in asked if not self._explains(k, w)]) > 0
            elif sentences:
                # Likewise for a product half-named or the post's: "le baume pour le cuir il est à combien ? je
                # l'ai pas trouvé en boutique samedi" of "Baume d'entretien cuir" asks nothing the balm does not
                # explain, whatever the shop on Saturday says of the opening hours.
                answer_wins = bool(asked) and self._product_fit(k, asked) <= self._coverage(
                    ranked[0], asked, text_words=0.5)
            else:
                answer_wins = self._product_fit(k, topic) <= self._coverage(ranked[0], topic, text_words=0.5)
        answers_tie = False
        if answer_wins:
            grounding = self._answer_grounding(
                question, lang, ranked, answer_scores, best_answer, second, product,
                doubtful=(best_answer < TOPIC_ALONE_HIGH and self._by_topic_alone(ranked[0], topic))
                or self._instead_of_post_product(
                    ranked[0], topic, question, aspects, named))
            # Answers too close to tell apart ("how much and when will it ship?" meets every shipping answer)
            # under a product whose price or stock is asked: that product's facts, for a person to check.
            answers_tie = not grounding.answer and about_product and product is not None and bool(
                aspects & SOLD_ASPECTS)
        if answer_wins and not answers_tie:
            if question.intent in REMARK_INTENTS and grounding.level != "high" and not _asks(raw, question.text):
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
            described_only = (bool(named) and not set(self.name_tokens[k]) & set(words)
                              and not self.nicknames[k] & set(words)
                              and question.post_product is None and product.sku not in question.post_products)
            if described_only and ranked and self._product_fit(k, topic) < max(
                    PRODUCT_FIT, self._coverage(ranked[0], topic)):
                # Only described, and an answer covers the question better ("can you gift wrap my order?" is
                # not the gift box): the answer as a draft when it is likely, else nothing.
                if best_answer >= th.low:
                    capped = min(best_answer, th.high - 0.01)
                    return self._answer_grounding(question, lang, ranked, answer_scores, capped, second, None)
                return Grounding(level="none", confidence=round(best_answer, 4), post_product=question.post_product,
                                 suggestions=self._suggestions(ranked, answer_scores, lang, skip=None))
            # A shop topic the product does not explain and the best answer covers ("vos sacoches sont garanties
            # combien d'années ?": the warranty, not the bag's price): that answer as a draft when it is likely,
            # else nothing; the product's price would answer another question.
            if ranked and any(w.startswith(MARK) and not self._is_place(w) and not self._explains(k, w)
                              and self._covers(word_form(w), ranked[0]) for w in told):
                if best_answer >= th.low:
                    capped = min(best_answer, th.high - 0.01)
                    return self._answer_grounding(question, lang, ranked, answer_scores, capped, second, product)
                return Grounding(level="none", confidence=round(best_answer, 4), post_product=question.post_product,
                                 suggestions=self._suggestions(ranked, answer_scores, lang, skip=None))
            if len(unexplained) >= 2 and not sure_product:
                if best_answer >= th.low and ranked and self._coverage(ranked[0], topic) >= PRODUCT_FIT:
                    capped = min(best_answer, th.high - 0.01)  # a guess between product and answer: a draft
                    return self._answer_grounding(question, lang, ranked, answer_scores, capped, second, product)
                return Grounding(level="none", confidence=round(best_answer, 4), post_product=question.post_product,
                                 suggestions=self._suggestions(ranked, answer_scores, lang, skip=None))
            if unexplained and len(topic) >= 2 and not sure_product and not any(
                    self._explains(j, w) for j in range(len(self.base.products)) for w in topic):
                # Nothing the catalogue explains, a word nobody knows beside words only answers use ("how much are
                # the workers paid?": "paid" from the payment answer): about something else, so no fact at all.
                return Grounding(level="none", confidence=round(best_answer, 4), post_product=question.post_product,
                                 suggestions=self._suggestions(ranked, answer_scores, lang, skip=None))
            guessed = not sure_product and question.post_product is None and product.sku not in question.post_products
            tied = (len(named) > 1 and not picked_by_variant
                    and product_scores[named[1]] >= product_scores[named[0]] - PRODUCT_TIE)
            # "Do you sell / have X?" of a product only described, with a word neither it nor any answer knows
            # ("do you sell hair dye?" of a shampoo described for hair): maybe a thing the shop does not sell, so a
            # guess too. A price asked ("price on the nite cream?") takes the thing for granted.
            unsold = described_only and bool(unexplained) and "stock" in aspects and "price" not in aspects
            if guessed and (tied or not aspects & FACTUAL_ASPECTS or unsold):
                # A product half-named ("les pistes du Mont-...") by a question that asks nothing the catalogue
                # says, or by a word several products share ("any e-bikes?" of three bikes): a guess, offered to
                # the person, never stated as the answer.
                price = compose.price_text(product.price, product.currency, lang)
                return Grounding(level="none", confidence=round(product_confidence, 4),
                                 post_product=question.post_product,
                                 suggestions=(f"{product.name}: {price} {product.url}",))
            return self._product_grounding(question, lang, product, product_confidence, named, aspects, size,
                                           doubtful=bool(unexplained) or answers_tie)
        suggestions = self._suggestions(ranked, answer_scores, lang, skip=None)
        return Grounding(level="none", confidence=round(best_answer, 4), suggestions=suggestions,
                         post_product=question.post_product)

    def judge_features(self, question: Question, grounding: Grounding, vector: np.ndarray, own: np.ndarray,
                       evidence: Evidence) -> np.ndarray:
        """Every candidate's row of judge.FEATURES for one question: `vector` is its classifier embedding, `own`
        its judge encoder's (the same when the judge has none). What the judge is trained on (bench)."""
        assert self.candidates is not None and self.judge_candidates is not None
        return candidate_features(self.candidates, self.candidate_names, pick_of(grounding, question.intent),
                                  self.candidates.similarities(vector), [*evidence.answers, *evidence.products],
                                  *self.agreement(evidence),
                                  semantic=semantic_features(self.judge_candidates, own, question.lang))

    def _judged(self, question: Question, grounding: Grounding, probabilities: np.ndarray) -> Grounding:
        """The rules' grounding as the judge rules on it (moderation.knowledge.judge), given its probability for
        every candidate: kept, swapped for a draft of another candidate, or without its fact."""
        assert self.judge is not None and self.candidates is not None
        pick = pick_of(grounding, question.intent)
        chosen, probability = self.judge.decide(self.candidates.ids, pick, probabilities)
        if chosen == pick.source:
            return grounding
        # The fact the judge set aside stays in view for the person approving, first among the suggestions.
        dropped = (f"[{pick.source.split(':', 1)[1]}] {grounding.answer}",) if pick.source else ()
        suggestions = (*dropped, *grounding.suggestions)[:3]
        if chosen is None:
            return Grounding(level="none", confidence=round(probability, 4), suggestions=suggestions,
                             post_product=grounding.post_product, set_aside=pick.source or "")
        return self._drafted(question, chosen, probability, suggestions)

    def _drafted(self, question: Question, chosen: str, probability: float,
                 suggestions: tuple[str, ...]) -> Grounding:
        """The judge's own candidate as a draft for a person (never "high": the rules did not pick it)."""
        lang = self._lang(question, tokens(question.text))
        kind, key = chosen.split(":", 1)
        answer = self.base.answer(key) if kind == "answer" else None
        if answer is not None:
            text = compose.answer_text(answer, compose.answer_lang(answer, lang, self.default_lang),
                                       self.default_lang, self._link(question))
            return Grounding(level="low", confidence=round(probability, 4), answer=text, source=chosen,
                             human=answer.human, suggestions=suggestions, post_product=question.post_product)
        product = self.base.product(key)
        assert product is not None  # every candidate comes from this knowledge base
        size = self._asked_size(question.text)
        text = self._product_text(question, product, lang, set(INTENT_ASPECTS.get(question.intent, {"price"})),
                                  size)
        facts = compose.facts(product, lang)
        return Grounding(level="low", confidence=round(probability, 4), answer=text, source=chosen, product=facts,
                         products=(facts,), suggestions=suggestions, post_product=question.post_product)

    def _with_alternatives(self, question: Question, grounding: Grounding, likely: Sequence[str] = ()) -> Grounding:
        """Up to two facts other than the draft's own, composed in full like a drafted one, so that the approval
        card can send one with a click: the candidates the judge found `likely`, the suggestions, and for a draft
        without a fact the post's product first and a product the question half names last. On brand weeks nobody
        tuned retrieval on, the right fact is one of them for about a sixth of all questions (the README's
        figures)."""
        offered = [*likely, *(self._suggested(s) for s in grounding.suggestions)]
        if not grounding.answer:
            # No fact in the draft: under a product's post, that product's facts first ("how tall is she?");
            # then the suggestions; then a product the question half names ("the purple shampoo bar").
            if question.post_product is not None and self.base.product(question.post_product) is not None:
                offered.insert(len(likely), f"product:{question.post_product}")
            named, share = self.find_product(question.text)
            if named is not None and share >= self.thresholds.product_partial:
                offered.append(f"product:{named.sku}")
        sources = [source for source in dict.fromkeys(offered)
                   if source and source != grounding.source][:ALTERNATIVES]
        if not sources:
            return grounding
        alternatives = []
        for source in sources:
            drafted = self._drafted(question, source, grounding.confidence, ())
            alternatives.append(Alternative(source=source, answer=drafted.answer, product=drafted.product))
        return grounding.model_copy(update={"alternatives": tuple(alternatives)})

    def _suggested(self, suggestion: str) -> str | None:
        """The candidate a suggestion offers: "[id] text" names an answer (or a product by its sku, for one the
        judge set aside); "Name: price link" offers a product guessed from a partial name."""
        bracketed = re.match(r"\[([^\]]+)\] ", suggestion)
        if bracketed is not None:
            key = bracketed.group(1)
            if self.base.answer(key) is not None:
                return f"answer:{key}"
            return f"product:{key}" if self.base.product(key) is not None else None
        named = [p for p in self.base.products if suggestion.startswith(f"{p.name}: ")]
        return f"product:{max(named, key=lambda p: len(p.name)).sku}" if named else None

    def _named_by(self, k: int, words: list[str]) -> bool:
        """Whether the words say a word of product k's name or one of its nicknames (not only its description)."""
        return bool(set(self.name_tokens[k]) & set(words) or self.nicknames[k] & set(words))

    @staticmethod
    def _in_name(product: Product, phrase: str) -> bool:
        """Whether every word of a phrase (a colour: "grey", "vert forêt") is a word of the product's own name."""
        return set(phrase.split()) <= set(tokens(product.name))

    @staticmethod
    def _has_variant(product: Product, size: str | None, color: str | None) -> bool:
        return ((size is not None and compose.sells_size(product, size))
                or (color is not None and color.lower() in {c.lower() for c in product.colors}))

    def _post_candidate(self, skus: tuple[str, ...], size: str | None,
                        color: str | None) -> tuple[Product | None, float]:
        """Of the products a post names, the one that has the size or colour asked ("in navy?" under a post
        showing a navy trench and indigo jeans); else the first, as a guess for a person to check."""
        candidates = [p for p in (self.base.product(sku) for sku in skus) if p is not None]
        fitting = [p for p in candidates if self._has_variant(p, size, color)]
        if len(fitting) == 1:
            return fitting[0], 1.0
        return (candidates[0], self.thresholds.product_partial) if candidates else (None, 0.0)

    def _lang(self, question: Question, raw: list[str]) -> str:
        """The reply language: the classifier's when it is one we answer in, else the language whose example
        questions in the knowledge base use more of the question's words ("dispo en M ?" is French)."""
        if question.lang in compose.LANGS:
            return question.lang
        votes = {lang: sum(1 for w in raw if w in vocabulary) for lang, vocabulary in self.lang_words.items()}
        best = max(votes, key=lambda lang: votes[lang], default=self.default_lang)
        return best if votes.get(best, 0) > 0 else self.default_lang

    def _asked_size(self, text: str) -> str | None:
        """The size a question names, as the catalogue's sizes are keyed; never a decimal or a percentage."""
        raw = tokens(_NOT_A_SIZE.sub(" ", text))
        for i, word in enumerate(raw):
            if word.isdigit() and i + 1 < len(raw) and (word + raw[i + 1] in self.sizes
                                                         or raw[i + 1] in self.size_units):
                return word + raw[i + 1]  # "250 g" for the size "250g"
            if word.isdigit():
                # "le 250 ?" of a coffee sold in 250g and 1kg: the one size that number starts
                with_unit = [s for s in self.sizes if s.startswith(word) and s[len(word):] in UNITS]
                if len(with_unit) == 1:
                    return with_unit[0]
            unit = _UNIT_SIZE.match(word)
            if unit is not None and unit.group(1) in self.size_units:
                return word  # "250g" of teas sold in "100 g": answered "no 250g: sizes 100 g"
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
                          second: float, product: Product | None, doubtful: bool = False) -> Grounding:
        th = self.thresholds
        answer = self.base.answers[ranked[0]]
        level = "high" if best >= th.high and best - second >= th.margin and not doubtful else "low"
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
                           named: list[int], aspects: set[str], size: str | None,
                           doubtful: bool = False) -> Grounding:
        th = self.thresholds
        asked = set(aspects or INTENT_ASPECTS.get(question.intent, {"price"}))
        if question.intent == "product_question":
            # A question about the product itself ("is it vegan?", "how many copies in the print run?") is often
            # answered by its description even when it also asks a colour or a size.
            asked.add("detail")
        if product.sizes and size is None and any(c.isdigit() for c in _PERCENT.sub(" ", question.text)):
            asked.add("size")  # a measure the catalogue does not write as a size ("pour 12 ans ?", "1m92"): its sizes
        text = self._product_text(question, product, lang, asked, size)
        # Two products named about as clearly: both facts, and a person picks. A question the catalogue cannot
        # answer (what it is made of, how it washes) gets the description as a suggestion, never a sure answer.
        ambiguous = len(named) > 1 and confidence - 0.1 <= self._product_score(named[1], question)
        if ambiguous:
            other = self.base.products[named[1]]
            text += " " + self._product_text(question, other, lang, asked, size)
        # Sure only when the question says what it asks ("how much", "link", "en M"): a pricing question
        # without those words under a product post ("is the discount automatic?") may be about something else.
        factual = bool(aspects & FACTUAL_ASPECTS)
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

    def _topic_of(self, text: str, words: list[str], attribute_words: set[str | None], dropped: set[str]) -> list[str]:
        """The topic of a question or of one of its sentences (`words`, as `_words` reads `text`): its words but
        generic ones, product names and the size or colour asked, with its topic and place markers."""
        return self._topic(text, [w for w in words if len(w) > 1 and w not in GENERIC_WORDS
                                  and w not in self.name_words and w not in attribute_words], drop=dropped)

    def _product_text(self, question: Question, product: Product, lang: str, asked: set[str],
                      size: str | None) -> str:
        """A product's facts for this question: the sizes when it asks a measure, and its colours when it names a
        colour in any words (the catalogue's "vert forêt" for "en vert ?"; every colour for "in brown?")."""
        raw = tokens(question.text)
        said = set(raw)
        # Read from the words, since the judge's drafts and the alternatives are composed without the rules' aspects.
        if MEASURE_WORDS & said:
            asked = {*asked, "sizes"}
        if SIZE_WORDS & said:
            asked = {*asked, "size"}
        # A colour in the product's own name ("the camel coat", "grey knit cardigan") names it, not a colour asked.
        named = [w for w in [*(f"{a} {b}" for a, b in zip(raw, raw[1:], strict=False)), *raw]
                 if (w in self.colors or w in self.lexicon.colors) and not self._in_name(product, w)]
        colors = None
        colours_asked = bool(ASPECTS["color"] & said)  # "what colours?", "une autre couleur que le bleu ?"
        if named or colours_asked:
            names = {c: self._color_names(c) for c in product.colors}
            naming = {w: {c for c in product.colors if w in names[c] or self.colors.get(w) == c} for w in named}
            colors = tuple(c for c in product.colors if any(c in found for found in naming.values()))
            if colours_asked or not all(naming.values()):
                colors = ()  # the colours asked, or one it lacks ("the camel coat in black?"): every colour it has
        restock = None
        if product.in_stock <= 0 and self.restock_answer is not None and "restock" in self.lexicon.mention(
                question.text).concepts:
            # "when's the pull marin coming back?": sold out, and when sold-out things come back, from the shop's
            # own restock answer (its text only: the product's link is the one to follow).
            answer = self.restock_answer
            restock = answer.answer[compose.answer_lang(answer, lang, self.default_lang)]
        text = compose.product_answer(product, lang, asked, size=size, colors=colors, link=self._link(question),
                                      restock=restock)
        if restock and question.limit is not None and compose.sent_length(text) > question.limit:
            # Not at the cost of the facts fitting the platform's reply (a TikTok comment: 150 characters).
            text = compose.product_answer(product, lang, asked, size=size, colors=colors, link=self._link(question))
        return text

    def _color_names(self, color: str) -> set[str]:
        """Every word that names this catalogue colour in a question: as written, one of its words ("vert" of
        "vert forêt"), or another name of that colour ("black" of "noir mat")."""
        names = {fold(color), *fold(color).split(), " ".join(tokens(color)), *tokens(color)}
        for name in list(names):
            names |= self.lexicon.colors.get(name, frozenset())
        return names

    def _product_score(self, k: int, question: Question) -> float:
        return self._product_scores(self._words(tokens(question.text)))[k]

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


def pick_of(grounding: Grounding, intent: str) -> Pick:
    """The rules' decision as the judge reads it."""
    return Pick(source=grounding.source if grounding.answer else None, level=grounding.level,
                confidence=grounding.confidence, post_product=grounding.post_product,
                suggestions=grounding.suggestions, intent=intent)


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

