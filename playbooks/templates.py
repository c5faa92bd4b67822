"""Reply templates: sandboxed Jinja2, UTM-tagged links, per-platform texts and limits, A/B variants."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jinja2 import StrictUndefined
from jinja2 import Template as JinjaTemplate
from jinja2.sandbox import ImmutableSandboxedEnvironment

from moderation.domain import Platform
from playbooks.schema import Template
from playbooks.settings import Settings

# Immutable sandbox: no attribute starting with "_", no mutation of lists/dicts, no Python internals.
# StrictUndefined: `{{ config }}` or a mistyped variable is an error, never an empty string sent to a customer.
_ENV = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True)
# Nothing global besides what a render passes in: no range(), lipsum(), cycler(), namespace().
_ENV.globals.clear()

TEMPLATE_VARIABLES = ("author", "text", "intent", "product", "links", "platform", "campaign", "lang")
_URL = re.compile(r"https?://[^\s<>\"'()\[\]{}]+")
_TRAILING = ".,;:!?"
ELLIPSIS = "…"


@dataclass(frozen=True)
class Rendered:
    text: str
    template: str
    variant: str
    lang: str
    truncated: bool


def compile_source(source: str) -> JinjaTemplate:
    """Parse a template text; raises jinja2.TemplateSyntaxError with a line number inside the text."""
    return _ENV.from_string(source)


def sample_variables(settings: Settings) -> dict[str, Any]:
    """Stand-in values used at load time to prove every template renders before anything runs."""
    return {
        "author": "Sam", "text": "how much is it?", "intent": "pricing", "product": "the product",
        "links": dict(settings.links), "platform": "instagram", "campaign": "launch", "lang": "en",
    }


@lru_cache(maxsize=4096)
def add_utm(url: str, source: str, medium: str, campaign: str) -> str:
    """Add utm_source/medium/campaign to one URL, keeping any UTM value the link already sets."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {key for key, _ in query}
    for key, value in (("utm_source", source), ("utm_medium", medium), ("utm_campaign", campaign)):
        if key not in present:
            query.append((key, value))
    return urlunsplit(parts._replace(query=urlencode(query)))


def tag_links(text: str, source: str, medium: str, campaign: str) -> str:
    """UTM on every link in a rendered text, whether it came from `links` or was typed in the template."""
    if "http" not in text:
        return text

    def _one(match: re.Match[str]) -> str:
        url = match.group(0)
        stripped = url.rstrip(_TRAILING)
        return add_utm(stripped, source, medium, campaign) + url[len(stripped):]

    return _URL.sub(_one, text)


def truncate(text: str, limit: int) -> str:
    """Cut at a word boundary and mark the cut; a sentence ending in "…" reads better than one cut mid-word."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def pick_variant(names: list[str], interaction_id: str, template: str) -> str:
    """Deterministic A/B assignment: the same interaction always gets the same variant, across processes."""
    if len(names) == 1:
        return names[0]
    digest = hashlib.blake2b(f"{template}\x00{interaction_id}".encode(), digest_size=8).digest()
    return names[int.from_bytes(digest, "big") % len(names)]


class CompiledTemplate:
    """A validated Template with every text parsed once, ready to render many times."""

    def __init__(self, name: str, spec: Template, settings: Settings) -> None:
        self.name = name
        self.max_length = spec.max_length
        self.default_language = settings.default_language
        self._variants: dict[str, tuple[dict[str, JinjaTemplate], dict[Platform, dict[str, JinjaTemplate]]]] = {}
        for variant, texts in spec.all_variants().items():
            by_lang = {lang: compile_source(source) for lang, source in texts.text.items()}
            by_platform = {
                platform: {lang: compile_source(source) for lang, source in langs.items()}
                for platform, langs in texts.platforms.items()
            }
            self._variants[variant] = (by_lang, by_platform)
        self.variant_names = sorted(self._variants)

    def sources(self) -> list[tuple[str, str, str, JinjaTemplate]]:
        """(variant, platform or '', lang, compiled) for every text, for load-time checks."""
        out: list[tuple[str, str, str, JinjaTemplate]] = []
        for variant, (by_lang, by_platform) in self._variants.items():
            out.extend((variant, "", lang, compiled) for lang, compiled in by_lang.items())
            for platform, langs in by_platform.items():
                out.extend((variant, platform.value, lang, compiled) for lang, compiled in langs.items())
        return out

    def render(
        self, *, interaction_id: str, platform: Platform, lang: str, variables: dict[str, Any], limit: int,
        utm: tuple[str, str, str],
    ) -> Rendered:
        variant = pick_variant(self.variant_names, interaction_id, self.name)
        by_lang, by_platform = self._variants[variant]
        texts = by_platform.get(platform) or by_lang
        if lang not in texts:
            lang = self.default_language if self.default_language in texts else next(iter(texts))
        compiled = texts[lang]
        # Template.render minus its traceback rewriting; the globals are empty, so a shared context is safe.
        raw = "".join(compiled.root_render_func(compiled.new_context(variables, shared=True)))
        text = tag_links(raw.strip(), *utm)
        if self.max_length is not None:
            limit = min(limit, self.max_length)
        short = truncate(text, limit)
        return Rendered(text=short, template=self.name, variant=variant, lang=lang, truncated=short != text)
