"""A French -> English word gloss for the English-only encoder and the shared n-gram features.

The sentence encoder (all-MiniLM-L6-v2) was trained on English: "colis pas reçu" means little to it, while
"parcel not received" sits right next to the English order-support comments. So a French comment is followed
by a word-for-word English gloss of the words this lexicon knows ("colis pas reçu || parcel not received").
The lexicon only holds words that are French and not also common English words ("pour", "sale", "son" are
left out), written without accents because it is looked up on accent-stripped, lowercased text. It covers the
vocabulary of the default intents (prices, buying, sizes, delivery, returns, partnerships, praise, scams),
chat spellings ("cb", "jveux", "tjrs") and Québec forms ("magasiner", "pantoute", "chu").
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Measured with bench.intent_cv (cross-validation on the training comments); heads must be refitted when changed.
ENABLED = True
SEPARATOR = " || "
# A gloss is added only when at least this many words were found: one stray match says little.
MIN_GLOSSED_WORDS = 1

_WORD = re.compile(r"[a-z0-9]+")

# Accent-free French word -> English gloss (one or more words). Multi-word French phrases are in PHRASES.
WORDS: dict[str, str] = {
    # prices and offers
    "prix": "price", "tarif": "price", "tarifs": "prices", "combien": "how much", "cb": "how much",
    "combiens": "how much", "combient": "how much", "coute": "cost", "coutent": "cost", "couter": "cost",
    "cher": "expensive", "chere": "expensive", "moins": "less", "reduc": "discount", "reduction": "discount",
    "rabais": "discount", "remise": "discount", "soldes": "sale", "solde": "sale", "frais": "fees",
    "gratuit": "free", "gratuite": "free", "offert": "free", "offerte": "free", "payer": "pay", "paye": "paid",
    "paiement": "payment", "balles": "euros", "piasses": "dollars", "devis": "quote",
    "moitie": "half",
    # buying
    "acheter": "buy", "achete": "buy", "achat": "purchase", "achats": "purchases", "commander": "order",
    "commande": "order", "commandes": "orders", "cmd": "order", "lien": "link",
    "magasin": "store", "magasiner": "shop", "dispo": "available", "disponible": "available",
    "precommande": "preorder", "precommander": "preorder", "panier": "cart", "veux": "want", "veut": "want",
    "voudrais": "would like", "voulais": "wanted", "jveux": "i want", "jveu": "i want", "veu": "want",
    "prends": "take", "prendre": "take", "trouver": "find", "trouve": "find", "livrez": "deliver",
    "vendez": "sell", "vend": "sell", "vendu": "sold", "vente": "sale", "reserver": "reserve",
    # product questions
    "taille": "size", "tailles": "sizes", "taillent": "size", "petit": "small", "petite": "small",
    "grand": "large", "grande": "large", "matiere": "material", "tissu": "fabric", "coton": "cotton",
    "couleur": "colour", "couleurs": "colours", "noir": "black", "noire": "black", "blanc": "white",
    "bleu": "blue", "rupture": "out of stock",
    "batterie": "battery", "chargeur": "charger", "etanche": "waterproof",
    "peau": "skin", "cheveux": "hair", "sensible": "sensitive", "grasse": "oily", "seche": "dry",
    "fabrique": "made", "lavage": "washing", "laver": "wash", "lave": "wash",
    "garantie": "warranty", "poids": "weight", "lourd": "heavy",
    "utilise": "use", "utiliser": "use", "marche": "works", "fonctionne": "works", "inclus": "included",
    "boite": "box", "flacon": "bottle", "teinte": "shade", "parfum": "perfume", "odeur": "smell",
    "doublee": "lined", "chaud": "warm", "hiver": "winter", "enfants": "children", "modele": "model",
    "manteau": "coat", "robe": "dress", "chaussures": "shoes", "bague": "ring",
    "bijou": "jewel", "bijoux": "jewellery", "casque": "headphones", "montre": "watch", "creme": "cream",
    "tuque": "beanie", "sac": "bag",
    # orders and delivery
    "colis": "parcel", "livraison": "delivery", "livre": "delivered", "livree": "delivered",
    "livrer": "deliver", "livreur": "courier", "recu": "received", "recue": "received", "reception": "receipt",
    "recois": "receive", "recevoir": "receive", "suivi": "tracking", "expedie": "shipped", "expediee": "shipped",
    "expedition": "shipping", "envoi": "shipment", "envoye": "sent", "bloque": "stuck",
    "bloquee": "stuck", "adresse": "address", "compte": "account", "connecter": "log in",
    "debite": "charged", "preleve": "charged", "facture": "invoice",
    "douane": "customs", "relais": "pickup point", "toujours": "still", "tjrs": "still",
    "rien": "nothing", "nouvelles": "news", "manque": "missing", "mauvaise": "wrong", "mauvais": "wrong",
    "erreur": "error", "refusee": "declined", "attends": "waiting", "attendre": "wait", "attente": "waiting",
    "semaines": "weeks", "semaine": "week", "jours": "days", "mois": "month",
    # complaints
    "decu": "disappointed", "decue": "disappointed", "decevant": "disappointing", "deception": "disappointment",
    "nul": "bad", "nulle": "bad", "qualite": "quality", "casse": "broken", "cassee": "broken",
    "brise": "broken", "abime": "damaged", "rayure": "scratch", "raye": "scratched", "defectueux": "defective",
    "arnaque": "scam", "honte": "shame", "pire": "worst", "inadmissible": "unacceptable",
    "inacceptable": "unacceptable", "mecontent": "unhappy", "mecontente": "unhappy", "plainte": "complaint",
    "jamais": "never", "deconseille": "do not recommend", "bouloche": "pills",
    "allergique": "allergic", "boutons": "pimples", "plante": "crashes", "reponse": "answer",
    "repondez": "answer", "pantoute": "at all", "marde": "crap",
    # refunds, returns, cancellations
    "rembourse": "refund", "remboursee": "refunded", "remboursez": "refund", "rembourser": "refund",
    "remboursement": "refund", "rembourssement": "refund", "rembourcement": "refund", "retour": "return",
    "retourner": "return", "renvoyer": "send back", "renvoye": "sent back", "echange": "exchange",
    "echanger": "exchange", "annuler": "cancel", "annulez": "cancel", "annulation": "cancellation",
    "annule": "cancelled", "resilier": "cancel", "abonnement": "subscription", "argent": "money",
    "retracter": "withdraw",
    # partnerships
    "partenariat": "partnership", "partenariats": "partnerships",
    "ambassadrice": "ambassador", "ambassadeur": "ambassador", "ambassadeurs": "ambassadors",
    "affiliation": "affiliate", "affilie": "affiliate", "createur": "creator", "creatrice": "creator",
    "influenceuse": "influencer", "influenceur": "influencer", "influenceurs": "influencers",
    "abonnes": "followers", "sponsoriser": "sponsor", "egerie": "ambassador",
    "communaute": "community", "chaine": "channel", "proposer": "propose",
    # praise
    "merci": "thanks", "mercii": "thanks", "adore": "love", "adoore": "love",
    "aime": "like", "belle": "beautiful", "beau": "beautiful", "magnifique": "beautiful", "sublime": "gorgeous",
    "superbe": "superb", "genial": "great", "geniale": "great", "parfait": "perfect", "parfaite": "perfect",
    "trop": "so", "recommande": "recommend", "bravo": "well done", "mimi": "cute",
    "incroyable": "amazing", "meilleur": "best", "meilleure": "best", "meilleurs": "best", "contente": "happy",
    "kiffe": "love", "tiguidou": "great", "ecoeurant": "amazing", "malade": "amazing",
    "stylee": "stylish",
    # spam
    "gagnez": "win", "gagne": "win", "gagner": "win", "abonne": "follow", "abonnez": "follow",
    "suivez": "follow", "cliquez": "click", "clique": "click", "riche": "rich", "investissez": "invest",
    "domicile": "home", "felicitations": "congratulations", "concours": "giveaway", "pronos": "tips",
    "cadeaux": "gifts", "cadeau": "gift",
    "travailler": "work", "travaillez": "work", "travaille": "work", "videos": "videos", "profil": "profile",
    "offre": "offer", "prive": "private", "noirci": "turned black", "morte": "dead", "mort": "dead",
    "boucles": "earrings", "filtre": "filter", "nouvelle": "new", "nouveau": "new",
    "abimee": "damaged", "deteint": "faded", "retreci": "shrunk", "ecouteur": "earbud", "ecouteurs": "earbuds",
    "fermeture": "zipper", "couture": "seam", "coutures": "seams", "menteurs": "liars",
    "voleurs": "thieves", "escroc": "crook", "escrocs": "crooks", "souliers": "shoes", "pointure": "shoe size",
    "recrutez": "hiring", "horaires": "opening hours", "ouvert": "open",
    "ouverts": "open", "ferme": "closed", "collaborer": "collaborate", "remunere": "paid",
    "agence": "agency", "marque": "brand", "essayer": "try", "tester": "test", "avis": "review",
    # other, and the grammar words that turn a gloss into a sentence
    "musique": "music", "chanson": "song", "premier": "first", "premiere": "first",
    "mdr": "lol", "ptdr": "lol", "bonjour": "hello", "salut": "hi", "coucou": "hi", "svp": "please",
    "stp": "please", "pas": "not", "ne": "not", "je": "i", "j": "i", "tu": "you", "vous": "you", "il": "it",
    "elle": "she", "mon": "my", "ma": "my", "mes": "my", "ton": "your", "votre": "your", "vos": "your",
    "est": "is", "suis": "am", "chu": "i am", "c": "it is", "ca": "it", "sa": "it", "encore": "still",
    "quand": "when", "comment": "how", "pourquoi": "why", "quel": "which", "quelle": "which", "avec": "with",
    "sans": "without", "depuis": "since", "deja": "already", "aussi": "also", "vraiment": "really",
    "tres": "very", "apres": "after", "hier": "yesterday",
    # praise and complaint adjectives and verbs, reactions to videos, product words (added with more comments)
    "doux": "soft", "douce": "soft", "confortable": "comfortable", "ravie": "delighted", "ravi": "delighted",
    "satisfaite": "satisfied", "satisfait": "satisfied", "dinguerie": "amazing", "tuerie": "amazing",
    "pepite": "gem", "bonheur": "joy", "chouchou": "favourite", "fiere": "proud", "fier": "proud",
    "bluffee": "impressed", "bluffe": "impressed", "regalez": "delight", "valide": "approve",
    "regrette": "regret", "baisse": "dropped", "pourri": "rotten", "pourrie": "rotten", "immonde": "disgusting",
    "fuit": "leaks", "coule": "leaks", "ecaille": "chips", "lache": "broke", "gratte": "itchy",
    "honteux": "shameful", "mensongere": "misleading", "mensongeres": "misleading", "degoutee": "disgusted",
    "rapide": "fast", "vite": "fast", "produit": "product", "produits": "products",
    "convient": "suits", "existe": "exists", "dedans": "inside", "rentre": "fits", "ecran": "screen",
    "bruit": "noise", "chien": "dog", "recette": "recipe", "voix": "voice", "lumiere": "light",
    "vacances": "holidays", "drole": "funny", "tournage": "filming", "filme": "filmed",
    "garanti": "guaranteed", "rejoins": "join", "vends": "sell", "contenu": "content",
    "createurs": "creators", "ensemble": "together",
}

# Multi-word French expressions checked before single words.
PHRASES: dict[str, str] = {
    "pas recu": "not received", "toujours pas": "still not", "code promo": "promo code",
    "frais de port": "shipping cost", "service client": "customer service",
    "point relais": "pickup point", "en stock": "in stock", "plus jamais": "never again",
    "remboursez moi": "refund me", "rendez moi": "give me back", "mon argent": "my money",
    "en mp": "in dm", "en dm": "in dm", "prenez mon argent": "take my money", "a quel prix": "what price",
    "combien ca coute": "how much does it cost", "ou acheter": "where to buy", "ou l acheter": "where to buy it",
    "ou est": "where is", "ou je peux": "where can i", "ou on peut": "where can we", "c est ou": "where is it",
    "ou ca": "where", "le lien": "the link",
    "je le veux": "i want it", "il me le faut": "i need it", "ca taille": "does it run", "taille petit": "runs small",
    "taille grand": "runs large", "guide des tailles": "size guide", "suivi de colis": "parcel tracking",
    "numero de suivi": "tracking number", "en retard": "late", "rien recu": "nothing received",
    "porte plainte": "file a complaint", "partenariat possible": "partnership possible",
    "follow moi": "follow me", "pas cher": "cheap", "rien a voir": "nothing like",
    "mot de passe": "password", "abonne toi": "follow me", "lien en bio": "link in bio",
}

_PHRASE_RE = re.compile(r"\b(" + "|".join(sorted((re.escape(p) for p in PHRASES), key=len, reverse=True))
                        + r")\b")


def fold(text: str) -> str:
    """Lowercase, accents removed, apostrophes as spaces: the form the lexicon is written in."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.replace("'", " ").replace("\u2019", " ").replace("-", " ")


def cache_tag() -> str:
    """Names what the encoder is fed (gloss on or off, which lexicon): part of the embedding-cache key."""
    if not ENABLED:
        return "plain"
    lexicon = repr((sorted(WORDS.items()), sorted(PHRASES.items()), SEPARATOR, MIN_GLOSSED_WORDS))
    return "gloss:" + hashlib.sha256(lexicon.encode("utf-8")).hexdigest()[:12]


def english_gloss(text: str) -> str:
    """Word-for-word English for the French words the lexicon knows, in text order ("" when none)."""
    folded = fold(text)
    out: list[str] = []
    found = 0
    pos = 0
    for match in _PHRASE_RE.finditer(folded):
        found += _gloss_words(folded[pos : match.start()], out)
        out.append(PHRASES[match.group(1)])
        found += 1
        pos = match.end()
    found += _gloss_words(folded[pos:], out)
    return " ".join(out) if found >= MIN_GLOSSED_WORDS and _content(out) else ""


def with_gloss(text: str) -> str:
    """`text`, then SEPARATOR and its English gloss when it has one."""
    gloss = english_gloss(text)
    return f"{text}{SEPARATOR}{gloss}" if gloss else text


def _gloss_words(segment: str, out: list[str]) -> int:
    found = 0
    for word in _WORD.findall(segment):
        english = WORDS.get(word)
        if english is not None:
            out.append(english)
            found += 1
    return found


# Grammar words alone ("je", "pas", "tu") are not worth a gloss: at least one content word must be there.
_FUNCTION = frozenset({"not", "i", "you", "it", "she", "my", "your", "is", "am", "it is", "still", "when", "how",
                       "why", "which", "with", "without", "since", "already", "also", "really", "very",
                       "after", "yesterday", "please"})


def _content(glosses: list[str]) -> bool:
    return any(g not in _FUNCTION for g in glosses)
