"""Reply templates: sandboxed Jinja2, UTM-tagged links, per-platform texts and limits, A/B variants."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, meta
from jinja2 import Template as JinjaTemplate
from jinja2.sandbox import ImmutableSandboxedEnvironment

from moderation.domain import Platform, ProductFacts
from moderation.domain.attribution import tag_text_links, utm_link
from playbooks.schema import Template
from playbooks.settings import Settings

# Immutable sandbox: no attribute starting with "_", no mutation of lists/dicts, no Python internals.
# StrictUndefined: `{{ config }}` or a mistyped variable is an error, never an empty string sent to a customer.
_ENV = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True)
# Nothing global besides what a render passes in: no range(), lipsum(), cycler(), namespace().
_ENV.globals.clear()

TEMPLATE_VARIABLES = ("author", "text", "intent", "product", "products", "answer", "links", "platform", "campaign",
                      "lang", "discount_code")
# A template that reads these speaks facts from the knowledge base: how sure retrieval was decides whether it
# may be sent without a person (see `Engine._reply`).
GROUNDED_VARIABLES = frozenset({"answer", "products"})
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
        "products": [], "answer": "", "links": dict(settings.links), "platform": "instagram",
        "campaign": "launch", "lang": "en", "discount_code": f"{settings.utm.discount_prefix}-SAMPLE",
    }


SAMPLE_PRODUCT = ProductFacts(sku="SAMPLE-1", name="Sample Tote", price="89.00", currency="EUR", sizes=("S", "M"),
                              colors=("black",), in_stock=3, url="https://example.com/p/sample",
                              description="A sample product", price_text="€89.00")


def sample_variable_sets(settings: Settings) -> list[dict[str, Any]]:
    """Without knowledge (`product` a name, `answer` empty) and with it (`product` a catalogue row): a template
    must render in both, since which one it gets depends on what retrieval finds."""
    plain = sample_variables(settings)
    grounded = {**plain, "product": SAMPLE_PRODUCT, "products": [SAMPLE_PRODUCT],
                "answer": "The Sample Tote is €89.00, in stock: https://example.com/p/sample"}
    return [plain, grounded]


def add_utm(url: str, source: str, medium: str, campaign: str, content: str | None = None) -> str:
    """Add utm_source/medium/campaign (and utm_content) to one URL: `moderation.domain.attribution.utm_link`."""
    return utm_link(url, source, medium, campaign, content)


def tag_links(text: str, source: str, medium: str, campaign: str, content: str | None = None) -> str:
    """UTM on every link in a rendered text, whether it came from `links` or was typed in the template; `content`
    is the interaction's reference, so an order can be traced back to the conversation."""
    return tag_text_links(text, source, medium, campaign, content)


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
        self.grounded = any(
            GROUNDED_VARIABLES & meta.find_undeclared_variables(_ENV.parse(source))
            for texts in spec.all_variants().values()
            for source in [*texts.text.values(), *(t for langs in texts.platforms.values() for t in langs.values())]
        )

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
        utm: tuple[str, str, str] | tuple[str, str, str, str | None],
    ) -> Rendered:
        """`utm` is (source, medium, campaign) or (source, medium, campaign, content)."""
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
