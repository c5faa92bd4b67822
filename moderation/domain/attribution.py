"""Attribution tags: the short per-interaction reference, per-conversation discount codes and the one UTM builder.

Pure functions of the interaction id, so the playbook engine (no I/O) can put them in a link or a reply and the
measure stage can find the interaction again from an order's `utm_content` or discount code.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Crockford's base32 without I, L, O, U: a reference read aloud or typed from a screenshot survives.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REF_LENGTH = 8  # 40 bits: a collision among a week's interactions has odds of about 1 in 10^5 per 10,000
REF_PREFIX = "so"
DEFAULT_CODE_PREFIX = "SO"


def _base32(digest: bytes, length: int) -> str:
    number = int.from_bytes(digest, "big")
    out = []
    for _ in range(length):
        number, index = divmod(number, 32)
        out.append(_ALPHABET[index])
    return "".join(out)


@lru_cache(maxsize=65536)
def interaction_ref(interaction_id: str) -> str:
    """`so-7KQ3XZ2M`: the reference carried in `utm_content` of every link sent about this interaction."""
    digest = hashlib.blake2b(interaction_id.encode(), digest_size=8, person=b"so-ref").digest()
    return f"{REF_PREFIX}-{_base32(digest, REF_LENGTH).lower()}"


@lru_cache(maxsize=65536)
def discount_code(interaction_id: str, prefix: str = DEFAULT_CODE_PREFIX) -> str:
    """A per-conversation discount code, e.g. `SO-4F9KX2`: the shop must accept it (a pattern or an imported list)."""
    digest = hashlib.blake2b(interaction_id.encode(), digest_size=8, person=b"so-code").digest()
    return f"{prefix.upper()}-{_base32(digest, 6)}"


def normalise_ref(value: str | None) -> str | None:
    """An order's `utm_content` as a reference we issue, or None (case and spaces as shops rewrite them)."""
    if not value:
        return None
    ref = value.strip().lower()
    for part in ref.replace(",", "|").replace(";", "|").split("|"):  # some shops join several contents
        part = part.strip()
        if part.startswith(REF_PREFIX + "-") and len(part) == len(REF_PREFIX) + 1 + REF_LENGTH:
            return part
    return None


_CODE = re.compile(r"^[A-Z0-9]{1,8}-([0-9A-HJKMNP-TV-Z]{6})$")


def code_key(value: str | None) -> str | None:
    """The part of a code that names the conversation (`SO-4F9KX2` -> `4F9KX2`), or None for a code we never
    issue. The prefix is cosmetic (playbooks choose it), so orders match whatever prefix the team set."""
    if not value:
        return None
    match = _CODE.match(value.strip().upper())
    return match.group(1) if match else None


@lru_cache(maxsize=4096)
def utm_link(url: str, source: str, medium: str, campaign: str, content: str | None = None) -> str:
    """The one place links get UTM tags: utm_source/medium/campaign, and utm_content (the interaction reference)
    when given. A UTM value the link already sets is kept, so a hand-made campaign link is not overwritten."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {key for key, _ in query}
    wanted = [("utm_source", source), ("utm_medium", medium), ("utm_campaign", campaign)]
    if content:
        wanted.append(("utm_content", content))
    for key, value in wanted:
        if key not in present:
            query.append((key, value))
    return urlunsplit(parts._replace(query=urlencode(query)))


# A link in a text, as tagging finds it (brackets and quotes around it are not part of it).
LINK = re.compile(r"https?://[^\s<>\"'()\[\]{}]+")
_TRAILING = ".,;:!?"


def tag_text_links(text: str, source: str, medium: str, campaign: str, content: str | None = None) -> str:
    """`utm_link` on every link of a text (a rendered template, a draft a person edited); trailing punctuation
    stays outside the link."""
    if "http" not in text:
        return text

    def _one(match: re.Match[str]) -> str:
        url = match.group(0)
        stripped = url.rstrip(_TRAILING)
        return utm_link(stripped, source, medium, campaign, content) + url[len(stripped):]

    return LINK.sub(_one, text)
