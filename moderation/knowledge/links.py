"""UTM tags on the links knowledge answers carry (one function, so conversion tracking can extend it)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def utm_link(url: str, *, source: str, medium: str = "social", campaign: str = "organic",
             content: str | None = None) -> str:
    """`url` with utm_source/medium/campaign (and utm_content, e.g. the answer id or sku) added; tags the link
    already sets are kept, so a hand-tagged link in knowledge.yaml wins and tagging twice changes nothing."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {key for key, _ in query}
    wanted = [("utm_source", source), ("utm_medium", medium), ("utm_campaign", campaign)]
    if content:
        wanted.append(("utm_content", content))
    query += [(key, value) for key, value in wanted if key not in present]
    return urlunsplit(parts._replace(query=urlencode(query)))
