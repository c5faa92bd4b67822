"""The words leads use, in English and French, for KPIs, platforms and what the bot does not measure."""

from __future__ import annotations

from dataclasses import dataclass

# Groups of interchangeable phrases, reused across patterns.
DM = ("dm", "dms", "direct message", "direct messages", "message prive", "messages prive", "mp", "inbox",
      "messagerie", "en prive", "private message", "private messages", "messenger", "pm", "pms")
COMMENT = ("comment", "comments", "commentaire", "commentaires", "comms")
COUNT = ("how many", "how much", "combien", "nb", "nombre", "number of", "count", "total", "no of", "qty")
RATE = ("rate", "taux", "%", "percent", "percentage", "pourcentage", "share", "part", "proportion", "ratio", "pct")
REPLIES = ("replies", "reply", "responses", "response", "answers", "answered", "replied", "reponses", "reponse",
           "repondu", "repondus", "repondues", "answer")
AUTOMATED = ("automated", "automation", "automatic", "auto", "bot", "automatique", "automatiques", "automatisees",
             "automatise", "automatisee", "automatisation", "robot")
HUMAN = ("human", "humans", "person", "people", "manual", "manually", "humain", "humains", "humaine", "manuel",
         "manuelles", "manuellement", "agent", "agents", "team", "equipe")
# Adjacent words only: "first" or "1st" alone is also a date ("Nov 1st", "the first week").
FIRST_RESPONSE = ("first response", "first responses", "first reply", "first replies", "first answer",
                  "premiere response", "premieres responses", "1ere response", "1re response", "initial response",
                  "time to first response", "time to first reply", "frt", "tpr", "first response minutes")
RESPONDING = ("response", "responses", "reply", "replies", "answer", "answers", "repondre", "respond", "answering",
              "replying", "responding", "repondons", "repond")
TIMING = ("time", "times", "temps", "delai", "delais", "delay", "speed", "vitesse", "how fast", "how quickly",
          "how long", "combien de temps", "reactivite", "faster", "slower", "quickly", "plus vite", "rapidite",
          "rapides", "rapide", "vite", "turnaround")
AVERAGE = ("average", "avg", "mean", "moyen", "moyenne", "moy")
RESPONSE_RATE = ("response rate", "reply rate", "answer rate", "taux de reponse", "taux reponse", "responded rate",
                 "taux de reponses", "respond rate")
CONVERSION_RATE = ("conversion rate", "taux de conversion", "conv rate", "cvr", "taux conversion", "conversion %")
GOT_A_REPLY = ("got a reply", "got a response", "get a reply", "get a response", "recu une reponse",
               "recu une response", "eu une reponse", "eu une response", "with a reply", "with a response",
               "avec une reponse", "avec une response", "got an answer", "get an answer")
VOLUME = ("volume", "messages", "interactions", "conversations", "conversation", "convos", "convo", "inbound",
          "received", "recu", "recus", "recues", "traffic", "trafic", "incoming", "entrants")


@dataclass(frozen=True)
class Pattern:
    """A KPI when every group has one of its phrases in the question; more groups and more words win."""

    kpi: str
    groups: tuple[tuple[str, ...], ...]
    weight: int = 1  # 0 for the catch-all counts ("how many comments") that any more specific KPI beats


def _p(kpi: str, *groups: tuple[str, ...] | str, weight: int = 1) -> Pattern:
    return Pattern(kpi, tuple((g,) if isinstance(g, str) else g for g in groups), weight)


PATTERNS: tuple[Pattern, ...] = (
    _p("response_rate", RESPONSE_RATE),
    _p("response_rate", RATE, ("answered", "replied", "responded", "repondu", "repondus", "repondues")),
    _p("response_rate", RATE, GOT_A_REPLY),
    _p("dm_response_rate", RATE, GOT_A_REPLY, DM),
    _p("comment_response_rate", RATE, GOT_A_REPLY, COMMENT),
    _p("dm_response_rate", RESPONSE_RATE, DM),
    _p("comment_response_rate", RESPONSE_RATE, COMMENT),
    _p("dm_response_rate", RATE, ("answered", "replied", "responded", "repondu", "repondus"), DM),
    _p("comment_response_rate", RATE, ("answered", "replied", "responded", "repondu", "repondus"), COMMENT),
    _p("first_response_minutes", FIRST_RESPONSE),
    _p("first_response_minutes", FIRST_RESPONSE, TIMING),
    _p("dm_first_response_minutes", FIRST_RESPONSE, DM),
    _p("dm_first_response_minutes", FIRST_RESPONSE, TIMING, DM),
    # "How fast do we answer DMs": the DM timing the KPIs have is the first response.
    _p("dm_first_response_minutes", TIMING, RESPONDING, DM),
    # A response time without "first" is the average over every response (the KPI leads mean by "how fast").
    _p("average_response_minutes", TIMING, RESPONDING),
    _p("average_response_minutes", TIMING, RESPONDING, AVERAGE),
    _p("average_response_minutes", ("response minutes", "art", "aht")),
    _p("resolution_rate", ("resolution rate", "taux de resolution", "resolution", "resolved", "resolu", "resolus",
                           "solved", "closed", "resolues")),
    _p("positive_share", ("positive", "positif", "positifs", "positive sentiment", "sentiment positif", "happy")),
    _p("neutral_share", ("neutral", "neutre", "neutres")),
    _p("negative_share", ("negative", "negatif", "negatifs", "negative sentiment", "sentiment negatif", "unhappy",
                          "mecontent", "mecontents", "negativity")),
    _p("sentiment", ("sentiment", "sentiments", "mood", "humeur", "ressenti", "tone")),
    _p("escalations", ("escalation", "escalations", "escalated", "escalade", "escalades", "escalade", "escalate",
                       "escalader", "escalades", "escalate", "remontees", "remontee")),
    _p("escalation_rate", ("escalation rate", "taux d escalade", "taux d escalation", "taux escalade",
                           "taux de remontee")),
    _p("escalation_rate", RATE, ("escalated", "escalade", "escalades", "escalation", "escalations")),
    _p("automated_replies", AUTOMATED, REPLIES),
    _p("automated_reply_share", AUTOMATED, REPLIES, RATE),
    _p("automated_reply_share", ("automation share", "automation rate", "taux d automatisation", "automation %",
                                 "part automatisee", "share automated")),
    _p("human_replies", HUMAN, REPLIES),
    _p("deflection_rate", ("deflection", "deflection rate", "deflexion", "taux de deflexion", "deflected",
                           "handled by the bot", "gere par le bot", "geres par le bot", "containment",
                           "deflecte", "deflectes")),
    _p("automation_success_rate", ("automation success", "automation success rate", "approved without edit",
                                   "approved without edits", "approval without edit", "drafts approved as is",
                                   "reussite de l automatisation", "succes de l automatisation",
                                   "taux de reussite", "approuve sans modification", "approuves sans modification",
                                   "approuves tels quels", "success rate", "draft acceptance", "acceptance rate",
                                   "sans retouche", "without edit", "sans modification")),
    _p("sla_compliance", ("sla", "slas", "sla compliance", "respect du sla", "respect des sla", "within sla",
                          "dans les temps", "conformite sla", "delais respectes", "on time")),
    _p("leads", ("lead", "leads", "prospect", "prospects", "leads captured", "leads captures")),
    _p("lead_capture_rate", ("lead capture rate", "lead capture", "taux de captation de leads",
                             "taux de capture de leads", "taux de leads", "lead rate", "captation de leads",
                             "taux de captation", "capture rate")),
    _p("lead_capture_rate", ("lead", "leads"), RATE, DM),
    _p("conversions", ("conversion", "conversions", "converted", "sales", "sale", "ventes", "vente", "purchases",
                       "achats", "converti", "convertis", "orders", "commandes")),
    _p("conversion_rate", CONVERSION_RATE),
    _p("conversion_rate", RATE, ("converted", "convertis", "converti", "conversion", "conversions")),
    _p("dm_conversion_rate", CONVERSION_RATE, DM),
    _p("comment_conversion_rate", CONVERSION_RATE, COMMENT),
    _p("revenue", ("revenue", "revenues", "chiffre d affaires", "sales revenue", "turnover", "recettes",
                   "montant des ventes", "montant des commandes", "order amounts", "sales amount")),
    _p("value_per_conversion", ("value per conversion", "average order value", "aov", "panier moyen",
                                "valeur par conversion", "valeur moyenne par commande", "average order",
                                "valeur moyenne des commandes", "average sale", "vente moyenne")),
    _p("assisted_conversions", ("assisted conversions", "assisted conversion", "assisted", "conversions assistees",
                                "conversion assistee", "assistees")),
    _p("time_to_moderate_minutes", ("time to moderate", "moderation time", "temps de moderation",
                                    "delai de moderation", "time to hide", "temps avant masquage")),
    _p("hidden", ("hidden", "hide", "hid", "hiding", "masque", "masques", "masquee", "masquees", "masquer",
                  "cache", "caches", "cachee", "cachees", "cacher")),
    _p("deleted", ("deleted", "delete", "deleting", "supprime", "supprimes", "supprimee", "supprimees",
                   "supprimer", "removed", "suppressions", "deletions")),
    _p("held", ("held", "held for review", "on hold", "retenu", "retenus", "retenue", "retenues",
                "mis en attente", "en attente de moderation", "quarantine", "quarantaine")),
    _p("moderation_actions", ("moderation actions", "actions de moderation", "moderation", "moderated",
                              "modere", "moderes", "modération", "moderation action", "mod actions")),
    _p("reversal_rate", ("reversal rate", "reversal", "reversals", "reversed", "undone", "undo", "unhidden",
                         "taux d annulation", "annulation", "annulations", "annule", "annules", "false positive",
                         "false positives", "faux positif", "faux positifs", "revert", "reverted")),
    _p("volume", VOLUME, weight=0),
    _p("volume", COUNT, ("messages", "message", "interactions", "interaction", "conversations", "conversation",
                         "convos", "convo"), weight=0),
    _p("dm_volume", DM, weight=0),
    _p("dm_volume", ("dm volume", "volume dm", "volume de dm", "volume des dm"), weight=1),
    _p("dm_volume", COUNT, DM, weight=0),
    _p("dm_volume", VOLUME, DM, weight=0),
    _p("comment_volume", VOLUME, COMMENT, weight=0),
    _p("comment_volume", COMMENT, weight=0),
    _p("comment_volume", COUNT, COMMENT, weight=0),
    _p("comment_volume", ("comment volume", "volume de commentaires", "volume commentaires"), weight=1),
)

PLATFORMS: dict[str, str] = {
    "instagram": "instagram", "ig": "instagram", "insta": "instagram", "instagramme": "instagram",
    "facebook": "facebook", "fb": "facebook", "messenger": "facebook", "face book": "facebook",
    "facebook messenger": "facebook", "youtube": "youtube", "yt": "youtube", "you tube": "youtube",
    "tiktok": "tiktok", "tt": "tiktok", "tik tok": "tiktok", "tiktoks": "tiktok", "the gram": "instagram",
    "youtube shorts": "youtube", "yt shorts": "youtube",
}
# Platforms the product does not connect to: a question about them is refused, never answered for all platforms.
OTHER_PLATFORMS = ("linkedin", "twitter", "snapchat", "snap", "pinterest", "threads", "reddit", "whatsapp",
                   "telegram", "twitch", "bluesky", "mastodon", "google business", "tweets", "tweet", "x com",
                   "wechat", "vk", "discord channel", "on x", "sur x", "x formerly twitter")
# What leads ask about that the event log does not measure.
NOT_MEASURED = ("follower", "followers", "abonne", "abonnes", "abonnement", "abonnements", "subscriber",
                "subscribers", "engagement", "likes", "j aime", "reach", "portee", "impressions",
                "impression", "views", "vues", "roi", "cpm", "cpc", "ctr", "click", "clicks", "clics", "clic",
                "partages", "reposts", "retweets",
                "saves",
                "enregistrements", "watch time", "growth", "croissance", "cost", "costs", "cout", "couts", "spend",
                "depense", "depenses", "budget", "money", "argent", "euros", "dollars", "profit", "marge",
                "margin", "stock", "weather", "meteo", "nps", "csat", "churn", "retention", "audience",
                "story views", "ad", "ads", "pub", "pubs", "publicite", "basket",
                # A count of what is still unanswered is not a KPI (the response rate is): refused, not guessed.
                "unanswered", "not answered", "non repondu", "non repondus", "non repondues", "sans reponse",
                "sans response", "pas repondu", "pas de reponse", "pas de response", "missed", "backlog")
GOAL_WORDS = ("goal", "goals", "target", "targets", "objectif", "objectifs", "obj", "okr", "okrs", "cible",
              "cibles", "on track", "en bonne voie", "kpi goals")
COMPARE_SPLIT = ("vs", "versus", "compared to", "compared with", "compare to", "par rapport a", "par rapport au",
                 "par rapport aux", "compare a", "than", "contre", "relative to", "vis a vis", "face a")
TREND_WORDS = ("up", "down", "trend", "trends", "trending", "tendance", "evolution", "evolue", "hausse", "baisse",
               "better", "worse", "mieux", "pire", "improving", "improved", "progress", "progresse", "augmente",
               "diminue", "change", "changed", "compare", "comparison", "comparaison", "increase", "decrease",
               "grown", "dropped", "drop", "augmentation", "diminution", "ameliore", "degrade", "degradation")
FRENCH_WORDS = frozenset((
    "le", "la", "les", "de", "du", "des", "au", "aux", "sur", "taux", "combien", "semaine", "mois", "hier",
    "aujourd", "aujourdhui", "jour", "jours", "derniers", "dernier", "derniere", "dernieres", "cette", "ce", "et",
    "entre", "nos", "notre", "est", "sont", "quel", "quelle", "reponse", "reponses", "temps", "delai", "en", "pour",
    "objectif", "objectifs", "masques", "commentaires", "nb", "nombre", "moyen", "premiere", "hausse", "baisse",
    "janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre", "novembre",
    "decembre", "depuis", "passe", "passee", "precedent", "svp", "stp", "ou", "ca", "qu", "quoi", "donne",
    "avons", "j",
))
ENGLISH_WORDS = frozenset((
    "the", "what", "whats", "how", "many", "much", "rate", "time", "last", "this", "week", "month", "today",
    "yesterday", "from", "to", "between", "and", "our", "we", "did", "is", "are", "on", "for", "in", "of", "get",
    "pls", "please", "response", "first", "average", "days", "past", "were", "was", "with", "goal", "goals",
))
