"""Matching text the way people type it: no accents, any case, light plurals, one or two typos forgiven."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

_TOKEN = re.compile(r"[a-z0-9]+")
# Words that carry no topic in either language (questions are short: these would dominate overlap).
_STOPWORDS = frozenset("""
a an the is are was were be been am do does did doing have has had i me my you your we our us they them it its
this that these those there here what which who whom how when where why can could would should will shall may
might must to of in on at for from by with about as and or but if so not no yes just any some all too very also
please pls plz svp hi hey hello guys u ur ya im i'm thanks thank get got one ones
le la les l un une des du de d et ou mais si ne pas plus tres aussi je j tu il elle on nous vous ils elles
me te se ce c ca cela ces cet cette mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs y en a au aux
est sont etre ai as avez avons ont fait faire peut peux pouvez qui que quoi qu quel quelle quels quelles
est-ce bonjour salut coucou merci pour par avec sur dans chez
fois cette aura va vais veux voudrais want need know tell anyone really though lol mdr
vers via apres avant fait faites fais possible chance idea stuff guess wondering comment quand combien cb cmb c
cest jsuis chui sui suis ete etes bien encore existe cherche cherchons trouve looking going having instead actually
usually exactly bit way still ok okay yo bonsoir dear cheers x xx xo moi toi lui jusqu jusque alors donc car deja
vraiment genre truc trucs come comes coming don doesn didn isn aren haven wasn won can t s like give put make
sans without
tout toute tous toutes everything something anything nothing everyone someone during up down out over again then
than now today quelque chose quelqu rien ni tellement beaucoup lot lots even ever maybe
thing things lovely beautiful gorgeous stunning amazing awesome cute nice pretty cool love loving looks look
joli jolie jolis jolies magnifique superbe sublime canon trop adore good great recommend suggest
ve re ll he she his her him
""".split())
# Praise and "thing" say nothing of what is asked ("how much is this lovely thing?" is the post's product's price).
# "sans" / "without" join a question to what it leaves out ("sans risque", "sans bicarbonate"): as little a topic
# as "avec" / "with", so an answer saying "sans parfum" does not cover every "sans ..." question.


# "fragrance-free", "gluten-free": without something, not free of charge. Kept as one word so that an answer
# saying "fragrance-free" never covers "is pick-up free?".
_WITHOUT_SUFFIX = re.compile(r"(?<=[a-z])-(?=free\b)")


def fold(text: str) -> str:
    """Lowercase without accents: 'Sérum Éclat' -> 'serum eclat'; 'fragrance-free' -> 'fragrancefree'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return _WITHOUT_SUFFIX.sub("", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def stem(token: str) -> str:
    # Plurals only: "sizes"/"tailles"/"prix" must meet "size"/"taille"; heavier stemming merges names.
    if len(token) > 3 and token[-1] in "sx" and not token.endswith(("ss", "us")):
        return token[:-1]
    return token


# Compared after `stem`, so both forms are listed ("does" and "doe", "fois" and "foi").
STOPWORDS = _STOPWORDS | frozenset(stem(word) for word in _STOPWORDS)


def tokens(text: str) -> list[str]:
    return [stem(t) for t in _TOKEN.findall(fold(text))]


def content_tokens(text: str) -> list[str]:
    return [t for t in tokens(text) if t not in STOPWORDS]


@lru_cache(maxsize=65536)
def close(a: str, b: str) -> bool:
    """Same word allowing typos: one edit from 5 letters, two from 8 (digits must match exactly: '01' != '02')."""
    if a == b:
        return True
    if a.isdigit() or b.isdigit():
        return False
    shortest = min(len(a), len(b))
    # Four-letter words are too close to each other ("full"/"pull", "lyon"/"leon"): exact only.
    allowed = 2 if shortest >= 8 else 1 if shortest >= 5 else 0
    if allowed == 0 or abs(len(a) - len(b)) > allowed:
        return False
    return _distance(a, b, allowed) <= allowed


def _distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (adjacent swaps count one), stopping early past `limit`."""
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


class Vocabulary:
    """Inverse document frequencies over a set of documents, and typo-tolerant lookup of query words."""

    def __init__(self, documents: Iterable[Iterable[str]]) -> None:
        counts: Counter[str] = Counter()
        total = 0
        for document in documents:
            counts.update(set(document))
            total += 1
        self.idf = {word: math.log((1 + total) / (1 + n)) + 1.0 for word, n in counts.items()}
        self.default_idf = math.log(1 + total) + 1.0
        # Every known word under each of its one-letter deletions (SymSpell): a typo of one edit shares one of
        # them, so candidates come from a few lookups instead of a scan of the vocabulary.
        self._deletions: dict[str, list[str]] = {}
        for word in sorted(self.idf):
            for variant in {word, *_deletions(word)}:
                self._deletions.setdefault(variant, []).append(word)
        self._seen: dict[str, str] = {}

    def canonical(self, word: str) -> str:
        """The known word `word` is a typo of (or itself): 'livrason' -> 'livraison'."""
        if word in self.idf or word.isdigit() or len(word) < 5:
            return word
        found = self._seen.get(word)
        if found is None:
            candidates = sorted({known for variant in {word, *_deletions(word)}
                                 for known in self._deletions.get(variant, ())})
            # The first letter is rarely the typo, and a different one makes another word ("nespresso").
            found = next((known for known in candidates if known[0] == word[0] and close(word, known)), word)
            if len(self._seen) < 100_000:
                self._seen[word] = found
        return found

    def weight(self, word: str) -> float:
        return self.idf.get(word, self.default_idf)


def overlap(query: list[str], document: list[str], vocabulary: Vocabulary) -> float:
    """IDF-weighted cosine of two bags of (canonical) words, in [0, 1]."""
    if not query or not document:
        return 0.0
    q, d = set(query), set(document)
    shared = sum(vocabulary.weight(w) ** 2 for w in q & d)
    if not shared:
        return 0.0
    norm_q = math.sqrt(sum(vocabulary.weight(w) ** 2 for w in q))
    norm_d = math.sqrt(sum(vocabulary.weight(w) ** 2 for w in d))
    return shared / (norm_q * norm_d)
