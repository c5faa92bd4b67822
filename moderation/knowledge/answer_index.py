"""The answer side of retrieval: each answer's example questions and text indexed by words, topic and place
markers, and a question scored against them (the share of its words each answer covers, the nearest example,
the encoder's similarity). `Retriever` (moderation.knowledge.retrieval) builds these indexes and decides."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from moderation.knowledge.files import Answer
from moderation.knowledge.lexicon import MARK, REGIONS, Lexicon
from moderation.knowledge.text import STOPWORDS, Vocabulary, content_tokens, overlap, stem

ANSWER_TEXT_WEIGHT = 0.8
COVERAGE_WEIGHT = 0.5  # of the words' score: the share of the question an answer covers; the rest, the
# IDF-weighted cosine with its closest example question
SIM_WEIGHT = 0.5  # meaning and words weigh the same when both agree
SIM_ALONE = 0.55  # meaning with no word in common: a suggestion at best
PLACE_WEIGHT = 2.0  # a named country outweighs the other words: it is what the answer differs on
CONCEPT_WEIGHT = 1.5  # a shop topic ("#shipping", "#return") outweighs a plain word, less than a place
UNKNOWN_WEIGHT = 1.0  # an IDF of 1 is a word every document has
FORM_LENGTH = 6
NAME_BONUS = 0.15  # an answer naming the product the question names
PLACE_ONLY = 0.25  # what a place counts for in an answer that covers nothing else of the question
REGION_COUNTRIES = 2  # an answer whose questions name this many countries of a region is that region's answer
COVERAGE_LEAD = 0.15  # covering this much more of a question's words tells two close answers apart
FAR_BEHIND = 0.1  # an answer this far behind the best one...
FAR_LEAD = 0.35  # ...that covers this much more of the question is the better draft


def word_form(word: str) -> str:
    """A word cut to its first letters for comparing answers (a light stemmer for English and French)."""
    return word if word.startswith(MARK) else word[:FORM_LENGTH]


class AnswerScoring:
    """Mixed into `Retriever`: the answer indexes (built by `_index_answers`) and the scoring that reads them.
    It relies on what `Retriever.__init__` sets before: `examples`, `lexicon`, `vocabulary`, `name_words`,
    `product_forms` (after), `thresholds`, `example_vectors` and `_canonical`."""

    examples: list[tuple[int, str]]
    lexicon: Lexicon
    vocabulary: Vocabulary
    name_words: frozenset[str]
    product_forms: list[set[str]]
    example_vectors: np.ndarray | None
    thresholds: Any  # retrieval.Thresholds: margin and high are read here
    _weight_cache: dict[frozenset[str], dict[str, float]]

    def _canonical(self, words: list[str]) -> list[str]:  # the known word each typo is (Retriever's)
        raise NotImplementedError

    def _index_answers(self, base_answers: Sequence[Answer], example_docs: list[list[str]],
                       answer_docs: list[list[str]], example_marks: list[list[str]], answer_marks: list[list[str]],
                       generic: frozenset[str]) -> None:
        # Every word the answers use, product names included (the sizing answer says "the 01").
        self.answer_all_words = frozenset(w for doc in [*example_docs, *answer_docs] for w in self._canonical(doc))
        self.answer_raw = [set(self._canonical(doc)) for doc in answer_docs]
        for i, (k, _) in enumerate(self.examples):
            self.answer_raw[k].update(self._canonical(example_docs[i]))
        # Product names are left out too: "how do I use the serum?" is about using, whichever serum.
        # As for questions, a word that named a topic is that topic's marker ("do you ship to the US?" is
        # #shipping and #us), so that two wordings of one topic compare equal.
        example_topic_words = [{stem(w) for w in self.lexicon.mention(text).concept_words} for _, text in self.examples]
        self.example_tokens = [
            [w for w in self._canonical(doc) if w not in generic | self.name_words and w not in named] + marks
            for doc, marks, named in zip(example_docs, example_marks, example_topic_words, strict=True)]
        # The answer texts count too, by words only and a little less ("newsletter", "Klarna", "call us").
        self.answer_text_tokens = [
            [w for w in self._canonical(content_tokens(" ".join(answer.answer.values())))
             if w not in generic | self.name_words] + marks
            for answer, marks in zip(base_answers, answer_marks, strict=True)]
        # Answers are compared on word forms cut to their first letters ("delivery" meets "deliver",
        # "expédiez" meets "expédition"), with IDF weights of those forms.
        self.example_match = [[word_form(w) for w in doc] for doc in self.example_tokens]
        self.answer_match = [[word_form(w) for w in doc] for doc in self.answer_text_tokens]
        self.match_vocabulary = Vocabulary([*self.example_match, *self.answer_match])
        # Everything an answer says or is asked as, for the share of a question's words it covers. Its example
        # questions say which places it is about; its text may name others only to exclude them ("duties
        # outside the EU and the UK"), so a place found only in the text counts half.
        self.answer_union: list[set[str]] = [set(doc) for doc in self.answer_match]
        self.example_union: list[set[str]] = [set() for _ in base_answers]
        # The region of every country an answer's questions name ("ship to the US?": the rest of the world),
        # for a country no answer names ("Japan?").
        self.region_union: list[set[str]] = [set() for _ in base_answers]
        for i, (k, _) in enumerate(self.examples):
            self.answer_union[k].update(self.example_match[i])
            self.example_union[k].update(self.example_match[i])
            for mark in self.example_match[i]:
                region = self.lexicon.region(mark[1:]) if mark.startswith(MARK) else None
                if region is not None:
                    self.region_union[k].add(MARK + region)
        # An answer for a whole region names it outright ("we ship across the EU") or names several of its
        # countries; one naming a single country of that region ("delivery in France") covers the region less:
        # "Amsterdam?" is the EU answer's, not France's.
        self.region_answers: list[set[str]] = []
        for k in range(len(base_answers)):
            countries = Counter(self.lexicon.region(w[1:]) for w in self.example_union[k]
                                if w.startswith(MARK) and self.lexicon.region(w[1:]))
            self.region_answers.append({r for r in self.region_union[k]
                                        if r in self.answer_union[k] or countries[r[1:]] >= REGION_COUNTRIES})
        # ...and, counted like the places an answer's text names, the regions of those places.
        self.text_region_union = [
            {MARK + r for w in union if w.startswith(MARK) and (r := self.lexicon.region(w[1:]))}
            for union in self.answer_union]
        # Compared whole with a question: an example naming a country names its region too.
        self.example_compare = [
            doc + sorted({MARK + r for w in doc if w.startswith(MARK) and (r := self.lexicon.region(w[1:]))})
            for doc in self.example_match]
        self.known_marks = frozenset(w for doc in self.answer_union for w in doc if w.startswith(MARK))
        # A place named in plain words ("France", "Bruxelles"), as compared: a place too, where and not what.
        self.place_forms = frozenset(word_form(stem(phrase[0])) for phrase in self.lexicon.places
                                     if len(phrase) == 1 and len(phrase[0]) >= 4 and phrase[0] not in STOPWORDS)

    def _topic(self, text: str, words: list[str], drop: set[str] | frozenset[str] = frozenset()) -> list[str]:
        """The question's topic words with its topic and place markers. A place is compared as its country
        ("Cork" as Ireland), or as its region when no answer names that country ("Spain" as the EU); a place that
        is a product's name ("the Ethiopia") is the product, not where the asker is."""
        mention = self.lexicon.mention(text)
        place_words = {stem(w) for w in mention.place_words}
        # A topic named only by the words of a dropped one is dropped too ("when will it ship?" asked of a
        # product is its restock, not the shipping).
        dropped_words = {w for c in drop for phrase in mention.concept_sources.get(c, ()) for w in phrase.split()}
        marks = [MARK + c for c in mention.concepts if c not in drop and not (
            dropped_words and all(set(p.split()) <= dropped_words for p in mention.concept_sources.get(c, ())))]
        if not (place_words and place_words <= self.name_words):
            for country in mention.countries:
                region = self.lexicon.region(country)
                if MARK + country in self.known_marks or region is None:
                    marks.append(MARK + country)
                else:
                    marks.append(MARK + region)
            marks += [MARK + r for r in mention.regions]
        # A word that named a topic is that topic's marker now ("send them back" is #return, not "send").
        # A place word the answers use ("Paris") stays: the answer naming that very city is closer still.
        concept_words = {stem(w) for w in mention.concept_words}
        named = {w for w in place_words if word_form(w) not in self.match_vocabulary.idf} | concept_words | {
            self.vocabulary.canonical(w) for w in concept_words}
        # A word naming a topic the answers cover and one they do not ("parcel": shipping, tracking) is the
        # covered one.
        covering = {word for concept, words in mention.concept_sources.items() if MARK + concept in self.known_marks
                    for word in words}
        marks = [m for m in marks if m in self.known_marks or not mention.concept_sources.get(m[1:], set()) & covering]
        return [w for w in words if w not in named and self.vocabulary.canonical(w) not in named] + sorted(set(marks))

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
        words = [word_form(w) for w in words]
        # The share of the question's topic (IDF-weighted) an answer covers anywhere in its examples or text.
        coverage = [self._coverage(k, words) for k in range(len(self.base.answers))]
        for i, (k, _) in enumerate(self.examples):
            # No word covered means no word shared with any of its examples either (they are in its union).
            lexical = 0.0 if not coverage[k] else COVERAGE_WEIGHT * coverage[k] + (1 - COVERAGE_WEIGHT) * overlap(
                words, self.example_compare[i], self.match_vocabulary)
            if similarity is None:
                score = lexical
            elif lexical > 0:
                # Meaning raises a match the words support; it never lowers one (an encoder that knows the
                # language less well, or a hashing one, leaves the words to decide).
                score = max(lexical, SIM_WEIGHT * float(similarity[i]) + (1 - SIM_WEIGHT) * lexical)
            else:
                # Meaning alone ("deliver to New York" ~ "ship to the US") is worth a suggestion, rarely more.
                score = SIM_ALONE * float(similarity[i])
            scores[k] = max(scores[k], score)
        for k, doc in enumerate(self.answer_match):
            if coverage[k]:
                scores[k] = max(scores[k], ANSWER_TEXT_WEIGHT * overlap(words, doc, self.match_vocabulary))
        return scores

    def _coverage(self, k: int, words: list[str], text_words: float = 1.0) -> float:
        """The share of the question's topic (IDF-weighted) answer k covers. `text_words` is what a word found
        only in the answer's text counts (against a product, half: "before your cream" is not about a cream)."""
        forms = frozenset(word_form(w) for w in words)
        if not forms:
            return 0.0
        weights = self._weights(forms)
        covered = {w: v * self._covers(w, k) * (1.0 if w in self.example_union[k] else text_words)
                   for w, v in weights.items()}
        places = {w for w in forms if self._is_place(w) or w in self.place_forms}
        if places != forms and not any(covered[w] for w in forms - places):
            # A place is where, not what: an answer covering only the place of "a shop in Brussels?" (the
            # shipping answer naming Belgium) is not about the question, nor is one whose text names the very
            # place ("c'est ouvert à la France le concours ?" of "Vers la France, la livraison coûte…").
            for w in places:
                covered[w] *= PLACE_ONLY
        return sum(covered.values()) / sum(weights.values())

    def _is_place(self, word: str) -> bool:
        return word.startswith(MARK) and (word[1:] in self.lexicon.country_region or word[1:] in REGIONS)

    def _weights(self, forms: frozenset[str]) -> dict[str, float]:
        # The same few topics are weighed for every answer of a question: remembered (bounded).
        found = self._weight_cache.get(forms)
        if found is None:
            found = {w: self._match_weight(w) for w in forms}
            if len(self._weight_cache) > 4096:
                self._weight_cache.clear()
            self._weight_cache[forms] = found
        return found

    def _covers(self, word: str, k: int) -> float:
        if word in self.example_union[k]:
            return 1.0
        if word in self.region_union[k]:
            return 1.0 if word in self.region_answers[k] else 0.75
        if word in self.answer_union[k]:
            return 0.5 if word[1:] in self.lexicon.country_region or word[1:] in REGIONS else 1.0
        return 0.5 if word in self.text_region_union[k] else 0.0

    def _match_weight(self, word: str) -> float:
        """IDF of a word form; a word no answer uses weighs like a common one (it says the question may be about
        something else, without drowning the words that match), a place or topic marker more (it is specific)."""
        if word.startswith(MARK):
            weight = self.match_vocabulary.weight(word)
            return weight * (PLACE_WEIGHT if word[1:] in self.lexicon.country_region else CONCEPT_WEIGHT)
        if word not in self.match_vocabulary.idf:
            return UNKNOWN_WEIGHT
        return self.match_vocabulary.weight(word)

    def _rank(self, scores: list[float], topic: list[str], names: set[str]) -> list[int]:
        """Answers best first. Two about as likely (within the margin) are told apart by how much of the question
        each covers in words, a product the question names counting for the answers that name it ("do the 01
        fit big?" is the answer about the 01): "shipping to Cork?" is the answer naming Ireland, whatever the
        meaning score says of two shipping answers. The only one covering the shop topics the question names comes
        first; else the one that covers clearly more. It stays first as a draft (the scores were close); the others
        are put a margin behind it."""
        ranked = sorted(range(len(scores)), key=lambda k: -scores[k])
        margin = self.thresholds.margin
        if len(ranked) < 2:
            return ranked
        if scores[ranked[0]] - scores[ranked[1]] >= margin:
            return self._clearly_more_covered(ranked, scores, topic)
        close = [k for k in ranked if scores[ranked[0]] - scores[k] < margin]

        def covered(k: int) -> float:
            return self._coverage(k, topic) + (NAME_BONUS if names & self.answer_raw[k] else 0.0)

        by_words = sorted(close, key=lambda k: -covered(k))
        # What is asked before what it is asked of: "comment laver les baskets blanches ?" is the care answer,
        # the only close one covering the topic named (#care), not the sizing answer that says "baskets".
        topics = [w for w in {word_form(w) for w in topic} if w.startswith(MARK) and not self._is_place(w)]
        naming = [k for k in close if topics and all(self._covers(w, k) for w in topics)]
        if len(naming) == 1 and not any(self._covers(w, k) for k in close if k != naming[0] for w in topics):
            winner = naming[0]
        elif covered(by_words[0]) - covered(by_words[1]) < COVERAGE_LEAD:
            return ranked
        else:
            winner = by_words[0]
        scores[winner] = min(max(scores[k] for k in close), self.thresholds.high - 0.01)
        for k in close:
            if k != winner:
                scores[k] = min(scores[k], scores[winner] - margin)
        return sorted(range(len(scores)), key=lambda k: -scores[k])

    def _clearly_more_covered(self, ranked: list[int], scores: list[float], topic: list[str]) -> list[int]:
        """An answer a little behind the best (FAR_BEHIND) that covers far more of the question's words
        (FAR_LEAD) is the better draft: "le salon de thé est ouvert le lundi ?" is the tearoom's hours, not the
        shop's, however close the shop's hours are in meaning. Its score stays below `high`: a person checks."""
        best = ranked[0]
        lead = self._coverage(best, topic) + FAR_LEAD
        for k in ranked[1:]:
            if scores[best] - scores[k] > FAR_BEHIND:
                break
            if self._coverage(k, topic) >= lead:
                scores[k] = min(scores[best], self.thresholds.high - 0.01)
                scores[best] = scores[k] - self.thresholds.margin
                return sorted(range(len(scores)), key=lambda j: -scores[j])
        return ranked

    def _uncovered_topic(self, text: str) -> bool:
        """Whether the text names a topic no answer or product covers, by words that name no covered topic
        ("recrutez": hiring; "parcel" names shipping too, which may be covered)."""
        mention = self.lexicon.mention(text)

        def covered(concept: str) -> bool:
            mark = MARK + concept
            return mark in self.known_marks or any(mark in forms for forms in self.product_forms)

        covering = {word for concept, words in mention.concept_sources.items() if covered(concept) for word in words}
        return any(not covered(concept) and not words & covering for concept, words in mention.concept_sources.items())
