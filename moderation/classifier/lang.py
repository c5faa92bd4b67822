"""Offline language identification: English and French in depth, a few neighbours and scripts for the rest."""

from __future__ import annotations

import logging
import re
import unicodedata

logger = logging.getLogger(__name__)

# Code returned when a text carries no usable evidence (emoji only, a mention, digits). English is the
# brand's default reply language, which is what playbooks key reply templates on; a moderator never sees a
# wrong guess presented as certain because `explain` reports the evidence.
FALLBACK_LANG = "en"

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Short, frequent, mostly unambiguous words, including social-media spellings.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the a an and or is are was were be been it its this that these those i you he she we they my your "
        "our their me him her them of to in on at for with from by not no do does did have has had will would "
        "can could should what when where why how who which there here just so very too much many pls please "
        "plz thanks thank u ur im i'm dont don't can't cant doesn't isnt isn't wont won't lol lmao omg wtf "
        "tbh idk yes yeah love want need get got buy price order size still any some all if but out up about "
        "gorgeous awesome amazing beautiful cute ugly stupid idiot hate look wait guys girl bro sis anyone "
        "everyone nobody something nothing first team ready "
    ),
    "fr": _words(
        "le la les un une des du de et ou est sont était être c'est cest ce cet cette ces je tu il elle on "
        "nous vous ils elles mon ma mes ton ta tes son sa ses notre votre leur leurs moi toi lui pas ne plus "
        "que qui quoi quand où comment pourquoi combien avec pour par sur dans chez sans mais donc car très "
        "trop bien aussi encore toujours déjà svp stp merci bonjour coucou salut oui non mdr ptdr jpp jsp ça "
        "ca j'ai jai t'es tes y a au aux été fait faire veux peux reçu commande colis prix taille livraison "
        "lien quel quelle te se va vais vas suis es sommes êtes ai as avons avez ont fais moche beau belle "
        "joli jolie magnifique sublime génial géniale adore j'adore aime grave ouf dinguerie trop premier "
        "première première regarde ambiance objectif possible abonnement abonné abonnés partenariat tarif "
        "promo réduc réduction remboursement remboursez échange échanger retour enceinte utiliser acheter "
        "achète commander envoyer reçois vendeur marque équipe con conne connard connasse pute salope abruti "
        "abrutie bouffon bouffonne crétin débile pauvre grosse gros vache moi-même peut-être quelqu'un rien "
        "tout tous toute toutes fini finie avance sale nul nulle chiant relou cheum wsh wesh frère meuf mec "
        "gueule ferme "
    ),
    "es": _words(
        "el la los las un una y o es son está estoy que de del en con por para pero muy más como cuando dónde "
        "donde qué quiero precio gracias hola por favor tengo tiene pedido también "
    ),
    "de": _words(
        "der die das ein eine und oder ist sind war nicht ich du er sie wir ihr mit für auf von zu im wie was "
        "wo warum danke bitte hallo noch schon sehr auch aber kann haben habe bestellung preis "
    ),
    "it": _words(
        "il lo la gli le un una e è sono non che di da in con per ma molto come quando dove perché grazie "
        "ciao voglio prezzo anche ancora questo questa ordine "
    ),
    "pt": _words(
        "o a os as um uma e é são não que de do da em com por para mas muito como quando onde porque obrigado "
        "obrigada olá oi quero preço também ainda isso pedido você "
    ),
    "nl": _words(
        "de het een en of is zijn niet ik jij je hij zij wij met voor op van te in hoe wat waar waarom dank "
        "bedankt hallo nog al heel ook maar kan bestelling prijs "
    ),
}
_FR_CHARS = set("éèêëàâîïôûùüçœ")
_LATIN_HINTS = {"es": set("ñ¿¡"), "de": set("ß"), "pt": set("ãõ")}

# Script of a letter -> language, for scripts that mostly mean one language on these platforms.
_SCRIPT_LANG = (
    ("CYRILLIC", "ru"),
    ("ARABIC", "ar"),
    ("HEBREW", "he"),
    ("GREEK", "el"),
    ("HANGUL", "ko"),
    ("HIRAGANA", "ja"),
    ("KATAKANA", "ja"),
    ("CJK", "zh"),
    ("DEVANAGARI", "hi"),
    ("THAI", "th"),
)


def _script_lang(text: str) -> str | None:
    counts: dict[str, int] = {}
    latin = 0
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        if name.startswith("LATIN"):
            latin += 1
            continue
        for prefix, lang in _SCRIPT_LANG:
            if name.startswith(prefix):
                counts[lang] = counts.get(lang, 0) + 1
                break
    if not counts:
        return None
    lang, n = max(counts.items(), key=lambda kv: kv[1])
    if "ja" in counts and lang == "zh":  # kanji mixed with kana is Japanese
        lang = "ja"
    return lang if n >= latin else None


def detect_scores(text: str) -> dict[str, float]:
    """Evidence per language: stopword hits plus diacritic hints (unnormalised counts)."""
    lowered = text.lower()
    words = _WORD.findall(lowered)
    scores = {lang: float(sum(w in vocab for w in words)) for lang, vocab in _STOPWORDS.items()}
    scores["fr"] += 0.75 * sum(ch in _FR_CHARS for ch in lowered)
    for lang, chars in _LATIN_HINTS.items():
        scores[lang] += 1.5 * sum(ch in chars for ch in lowered)
    return scores


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language; FALLBACK_LANG when nothing in the text says."""
    by_script = _script_lang(text)
    if by_script:
        return by_script
    scores = detect_scores(text)
    best = max(scores, key=lambda k: scores[k])
    if scores[best] <= 0:
        return FALLBACK_LANG
    # English and French dominate this audience: a tie with another language goes to them.
    top = [lang for lang, s in scores.items() if s == scores[best]]
    for preferred in ("en", "fr"):
        if preferred in top:
            return preferred
    return best
