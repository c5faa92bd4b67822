"""What a person reads back, in the question's language: the figure with its period, or why there is none."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.questions.parser import Interpretation

LABELS_FR = {
    "volume": "Volume", "dm_volume": "Volume de DM", "comment_volume": "Volume de commentaires",
    "response_rate": "Taux de réponse", "comment_response_rate": "Taux de réponse aux commentaires",
    "dm_response_rate": "Taux de réponse aux DM", "first_response_minutes": "Temps de première réponse",
    "dm_first_response_minutes": "Temps de première réponse en DM",
    "average_response_minutes": "Temps de réponse moyen", "resolution_rate": "Taux de résolution",
    "positive_share": "Sentiment positif", "neutral_share": "Sentiment neutre", "negative_share": "Sentiment négatif",
    "escalations": "Escalades", "escalation_rate": "Taux d'escalade", "automated_replies": "Réponses automatiques",
    "human_replies": "Réponses d'une personne", "automated_reply_share": "Part des réponses automatiques",
    "deflection_rate": "Taux de déflexion du bot", "automation_success_rate": "Taux de réussite de l'automatisation",
    "sla_compliance": "Respect du SLA", "leads": "Leads", "conversions": "Conversions",
    "conversion_rate": "Taux de conversion", "lead_capture_rate": "Taux de captation de leads en DM",
    "comment_conversion_rate": "Taux de conversion des commentaires", "dm_conversion_rate": "Taux de conversion des DM",
    "hidden": "Masqués", "deleted": "Supprimés", "held": "Retenus pour relecture",
    "moderation_actions": "Actions de modération", "reversal_rate": "Taux d'annulation de la modération",
}
PLATFORM_NAMES = {"instagram": "Instagram", "facebook": "Facebook", "tiktok": "TikTok", "youtube": "YouTube"}
EXAMPLES = {
    "en": ("response rate instagram yesterday", "FRT last week vs the week before", "leads from Nov 3 to Nov 9",
           "how are our goals"),
    "fr": ("taux de réponse insta hier", "temps de première réponse la semaine dernière", "leads du 3 au 9 novembre",
           "où en sont nos objectifs"),
}


def label(kpi: str, english: str, lang: str) -> str:
    return LABELS_FR.get(kpi, english) if lang == "fr" else english


def format_value(value: float | None, unit: str, lang: str = "en") -> str:
    """42%, 12 min, 1.5 h, 1,204 — French spacing and decimal commas in French."""
    if value is None:
        return "pas de données" if lang == "fr" else "no data"
    if unit == "%":
        text = f"{value:.0%}" if abs(value * 100 - round(value * 100)) < 0.05 else f"{value:.1%}"
    elif unit == "money":  # amounts as the shop recorded them, in its currency
        text = f"{value:,.2f}"
    elif unit == "min":
        text = f"{value:.0f} min" if value < 120 else f"{value / 60:.1f} h"
    else:
        text = f"{value:,.0f}"
    if lang == "fr":
        text = text.replace(",", " ").replace(".", ",").replace("%", " %")
    return text


def scope(platform: str | None, campaign: str | None, lang: str) -> str:
    where = PLATFORM_NAMES.get(platform or "", platform) or ("toutes plateformes" if lang == "fr" else "all platforms")
    if campaign:
        where += f", {'campagne' if lang == 'fr' else 'campaign'} {campaign}"
    return where


def trend_word(value: float, before: float, higher_is_better: bool | None, lang: str) -> str:
    delta = value - before
    if abs(delta) < 1e-9:
        return "stable" if lang == "fr" else "the same as"
    if higher_is_better is None:
        up = delta > 0
        return ("en hausse" if up else "en baisse") if lang == "fr" else ("up" if up else "down")
    better = (delta > 0) == higher_is_better
    return ("en mieux" if better else "en moins bien") if lang == "fr" else ("better" if better else "worse")


def sentence(*, kpi: str, english_label: str, unit: str, value: float | None, previous: float | None,
             goal: float | None, higher_is_better: bool | None, platform: str | None, campaign: str | None,
             period_label: str, compare: bool, lang: str) -> str:
    """"Response rate (Instagram, yesterday): 42%, better than the period before (38%); goal 90%, not met."."""
    colon = " :" if lang == "fr" else ":"
    text = (f"{label(kpi, english_label, lang)} · {scope(platform, campaign, lang)} · {period_label}{colon} "
            f"{format_value(value, unit, lang)}")
    if value is not None and previous is not None:
        word = trend_word(value, previous, higher_is_better, lang)
        before = format_value(previous, unit, lang)
        text += (f", {word} par rapport à la période précédente ({before})" if lang == "fr"
                 else f", {word}{'' if word == 'the same as' else ' than'} the period before ({before})")
    elif compare:
        text += (", rien à comparer : pas de données sur la période précédente" if lang == "fr"
                 else ", nothing to compare with: no data for the period before")
    if goal is not None:
        met = None if value is None else (value >= goal if higher_is_better is not False else value <= goal)
        status = "" if met is None else ((", atteint" if met else ", pas atteint") if lang == "fr"
                                         else (", met" if met else ", not met"))
        text += (f" ; objectif {format_value(goal, unit, lang)}{status}" if lang == "fr"
                 else f"; goal {format_value(goal, unit, lang)}{status}")
    return text + "."


def _understood(found: Interpretation, labels: Mapping[str, str]) -> str:
    parts = []
    if found.kpi:
        parts.append(label(found.kpi, labels.get(found.kpi, found.kpi), found.lang))
    if found.platform:
        parts.append(PLATFORM_NAMES.get(found.platform, found.platform))
    if found.campaign:
        parts.append(f"campaign {found.campaign}" if found.lang == "en" else f"campagne {found.campaign}")
    if not parts:
        return ""
    return (f"J'ai compris : {', '.join(parts)}. " if found.lang == "fr" else f"I understood: {', '.join(parts)}. ")


def refusal(found: Interpretation, labels: Mapping[str, str], campaigns: Iterable[str] = ()) -> str:
    """Why there is no figure, what was understood, and how to ask instead."""
    fr = found.lang == "fr"
    d = found.detail
    examples = " · ".join(f"“{e}”" for e in EXAMPLES[found.lang])
    texts = {
        "other_platform": (f"I only measure Instagram, Facebook, TikTok and YouTube, not {d}.",
                           f"Je ne mesure qu'Instagram, Facebook, TikTok et YouTube, pas {d}."),
        "not_measured": (f"I do not measure “{d}”: KPIs come from the conversations the team handles"
                         + (" (money figures: `socialops roi`)." if d in ("cost", "costs", "roi", "revenue", "spend",
                                                                           "budget") else ".")
                         + f" Try {examples}.",
                         f"Je ne mesure pas « {d} » : les KPI viennent des conversations traitées par l'équipe. "
                         f"Essayez {examples}."),
        "future": ("That period has not happened yet, so there is no figure for it.",
                   "Cette période n'est pas encore passée : pas de chiffre possible."),
        "invalid": (f"That date does not exist ({d}). Which days do you mean?",
                    f"Cette date n'existe pas ({d}). Quels jours voulez-vous ?"),
        "unsupported": (f"I cannot answer for “{d}” yet. Periods I understand: today, yesterday, this week, "
                        "last week, last 7/30 days, last 24 hours, this month, last month, or dates such as "
                        "“from Nov 3 to Nov 9”.",
                        f"Je ne sais pas encore répondre pour « {d} ». Périodes comprises : aujourd'hui, hier, "
                        "cette semaine, la semaine dernière, 7/30 derniers jours, dernières 24 h, ce mois-ci, "
                        "le mois dernier, ou des dates comme « du 3 au 9 novembre »."),
        "several_platforms": (f"Which platform: {d}? Ask for one, or for none to get all platforms together.",
                              f"Quelle plateforme : {d} ? Demandez-en une, ou aucune pour toutes ensemble."),
        "unknown_campaign": (f"I do not know a campaign “{d}”. Known campaigns: "
                             f"{', '.join(campaigns) or 'none yet'}.",
                             f"Je ne connais pas de campagne « {d} ». Campagnes connues : "
                             f"{', '.join(campaigns) or 'aucune pour l’instant'}."),
        "which_campaign": (f"Which campaign? Known campaigns: {', '.join(campaigns) or 'none yet'}. "
                           "Ask for one by its name (campaign black-friday), or without a campaign for everything.",
                           f"Quelle campagne ? Campagnes connues : {', '.join(campaigns) or 'aucune pour l’instant'}."
                           " Nommez-en une (campagne black-friday), ou aucune pour tout."),
        "which_kpi": ("Which one: " + ", ".join(labels.get(o, o) for o in found.options) + "?",
                      "Lequel : " + ", ".join(label(o, o, "fr") for o in found.options) + " ?"),
        "no_kpi": (f"I could not tell which KPI you mean. Try {examples}. KPIs: {', '.join(labels.values())}.",
                   f"Je n'ai pas reconnu de KPI. Essayez {examples}. KPI : "
                   f"{', '.join(label(k, v, 'fr') for k, v in labels.items())}."),
        "empty": (f"Ask me for a KPI, e.g. {examples}.", f"Demandez-moi un KPI, par exemple {examples}."),
    }
    en, french = texts.get(found.problem or "", texts["no_kpi"])
    return _understood(found, labels) + (french if fr else en)
