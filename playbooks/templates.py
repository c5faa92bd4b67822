"""Reply templates: sandboxed Jinja2, UTM-tagged links, per-platform texts and limits, A/B variants."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, meta, nodes
from jinja2 import Template as JinjaTemplate
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from moderation.domain import Platform, ProductFacts
from moderation.domain.attribution import LINK, tag_text_links, utm_link
from playbooks.schema import Template
from playbooks.settings import Settings

# A reply is at most a few thousand characters; a template making more is a mistake or an attack
# (`{{ 'a' * 200000000 }}` built 200 MB before the size was looked at). Values and output are bounded.
MAX_RENDER_CHARS = 100_000
_MAX_NUMBER = 10**9


class RenderTooLarge(SecurityError):
    """A template would build a value or an output past MAX_RENDER_CHARS."""


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple) else 0


class _BoundedEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox plus size bounds on what `*`, `+` and `**` may build, checked before building it."""

    intercepted_binops = frozenset({"*", "+", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if _size(seq) and isinstance(times, int) and _size(seq) * max(times, 0) > MAX_RENDER_CHARS:
                    raise RenderTooLarge(f"a value of {_size(seq)} × {times} is over {MAX_RENDER_CHARS} characters")
        elif operator == "+" and _size(left) + _size(right) > MAX_RENDER_CHARS:
            raise RenderTooLarge(f"a value over {MAX_RENDER_CHARS} characters")
        elif operator == "**" and isinstance(right, int | float) and abs(right) > 64:
            raise RenderTooLarge("an exponent over 64")
        result = super().call_binop(context, operator, left, right)
        if isinstance(result, int) and not isinstance(result, bool) and abs(result) > _MAX_NUMBER ** 4:
            raise RenderTooLarge("a number too large")
        return result


def _bounded_filter(name: str, function: Any) -> Any:
    """A filter whose numeric arguments (widths, counts) cannot ask for more than MAX_RENDER_CHARS."""

    def bounded(*args: Any, **kwargs: Any) -> Any:
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_RENDER_CHARS:
                raise RenderTooLarge(f"filter {name}: argument {value} is over {MAX_RENDER_CHARS}")
        return function(*args, **kwargs)

    for attribute in ("jinja_pass_arg",):  # keep how Jinja passes the context/environment to the filter
        if hasattr(function, attribute):
            setattr(bounded, attribute, getattr(function, attribute))
    return bounded


# Immutable sandbox: no attribute starting with "_", no mutation of lists/dicts, no Python internals.
# StrictUndefined: `{{ config }}` or a mistyped variable is an error, never an empty string sent to a customer.
_ENV = _BoundedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True)
# Nothing global besides what a render passes in: no range(), lipsum(), cycler(), namespace().
_ENV.globals.clear()
_ENV.filters = {name: _bounded_filter(name, function) for name, function in _ENV.filters.items()}


def render_bounded(compiled: JinjaTemplate, variables: dict[str, Any]) -> str:
    """Render, stopping with RenderTooLarge as soon as the output passes MAX_RENDER_CHARS (a loop that
    prints a little many times is caught here, not after building it all)."""
    parts: list[str] = []
    size = 0
    for part in compiled.root_render_func(compiled.new_context(variables, shared=True)):
        size += len(part)
        if size > MAX_RENDER_CHARS:
            raise RenderTooLarge(f"the rendered text is over {MAX_RENDER_CHARS} characters")
        parts.append(part)
    return "".join(parts)

TEMPLATE_VARIABLES = ("author", "text", "intent", "product", "products", "answer", "answer_apologises", "links",
                      "platform", "campaign", "lang", "discount_code")
# An answer the brand wrote as an apology ("We're so sorry! Send us a photo…"): a template that apologises itself
# reads `answer_apologises` to say it once.
_APOLOGY = re.compile(
    r"^\W*(?:(?:we'?re|we are|i'?m|nous sommes|on est)\s+)?"
    r"(?:(?:so|very|really|truly|vraiment|tres|sinc[eè]rement)\s+)?"
    r"(?:sorry|d[ée]sol[ée]e?s?|apolog(?:ies|i[sz]e)|excus)"
    r"|^\W*(?:toutes nos|nos plus sinc[eè]res) excuses|^\W*(?:we|nous) (?:apologi[sz]e|nous excusons)",
    re.IGNORECASE)


def apologises(answer: str) -> bool:
    """The answer opens with an apology."""
    return bool(_APOLOGY.search(answer))
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
    # Longer than the limit even as the answer alone: the whole answer, for a person to shorten (never sent).
    over_limit: int | None = None


def compile_source(source: str) -> JinjaTemplate:
    """Parse a template text; raises jinja2.TemplateSyntaxError with a line number inside the text."""
    _check_shape(_ENV.parse(source))
    return _ENV.from_string(source)


def _check_shape(tree: nodes.Template) -> None:
    """Replies are text with conditions and at most one level of loop. Nested loops, recursive loops and
    macros can multiply work without producing output (`{% for a in t %}{% for b in t %}{% endfor %}...`),
    which the output cap cannot see: refused when the template is parsed, so validation fails at once."""
    for node in tree.find_all((nodes.Macro, nodes.CallBlock)):
        raise SecurityError(f"line {node.lineno}: macros and call blocks are not allowed in reply templates")
    for loop in tree.find_all(nodes.For):
        if loop.recursive:
            raise SecurityError(f"line {loop.lineno}: recursive loops are not allowed in reply templates")
        for inner in loop.find_all(nodes.For):
            raise SecurityError(f"line {inner.lineno}: a loop inside a loop is not allowed in reply templates")


def sample_variables(settings: Settings) -> dict[str, Any]:
    """Stand-in values used at load time to prove every template renders before anything runs."""
    return {
        "author": "Sam", "text": "how much is it?", "intent": "pricing", "product": "the product",
        "products": [], "answer": "", "answer_apologises": False, "links": dict(settings.links),
        "platform": "instagram",
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
    apology = {**grounded, "answer": "We're so sorry! Send us a photo: https://example.com/help",
               "answer_apologises": True}
    return [plain, grounded, apology]


def add_utm(url: str, source: str, medium: str, campaign: str, content: str | None = None) -> str:
    """Add utm_source/medium/campaign (and utm_content) to one URL: `moderation.domain.attribution.utm_link`."""
    return utm_link(url, source, medium, campaign, content)


def tag_links(text: str, source: str, medium: str, campaign: str, content: str | None = None) -> str:
    """UTM on every link in a rendered text, whether it came from `links` or was typed in the template; `content`
    is the interaction's reference, so an order can be traced back to the conversation."""
    return tag_text_links(text, source, medium, campaign, content)


_SPACED_LINK = re.compile(r"\s*" + LINK.pattern)  # a link with the space before it


def _is_product_fact(answer: str, variables: dict[str, Any]) -> bool:
    """Whether the answer is a product's facts as retrieval composes them: they open with the product's name."""
    products = variables.get("products") or []
    return bool(products) and isinstance(products[0], ProductFacts) and answer.startswith(products[0].name)


def _without_links(text: str) -> str:
    return _SPACED_LINK.sub("", text).strip()


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
        raw = render_bounded(compiled, variables)
        text = tag_links(raw.strip(), *utm)
        if self.max_length is not None:
            limit = min(limit, self.max_length)
        short = truncate(text, limit)
        answer = str(variables.get("answer") or "").strip()
        if short != text and answer and answer in raw:
            # A grounded reply longer than the platform allows (a TikTok comment: 150 characters) keeps its fact:
            # the answer alone, without the greeting and call to action around it that pushed the fact out.
            alone = tag_links(answer, *utm)
            short = truncate(alone, limit)
            bare = _without_links(answer) if short != alone and _is_product_fact(answer, variables) else None
            if bare is not None and len(bare) <= limit:
                # A product's facts (name, price, stock, sizes) fit without their link, which the tags made too
                # long for the comment: 17 of the 19 product facts over TikTok's 150 characters on four public
                # brand weeks. Sendable with one click, rather than handed to a person to shorten.
                return Rendered(text=bare, template=self.name, variant=variant, lang=lang, truncated=True)
            if short != alone:
                # Even alone the answer does not fit, and the cut may drop its fact (the price after the 150th
                # character): the whole answer goes to a person to shorten, rather than a fact cut in half.
                return Rendered(text=alone, template=self.name, variant=variant, lang=lang, truncated=True,
                                over_limit=limit)
        return Rendered(text=short, template=self.name, variant=variant, lang=lang, truncated=short != text)
