"""Facts into one sentence in the asker's language: a product's price, stock, sizes and link, or an answer."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from moderation.domain import ProductFacts
from moderation.domain.attribution import LINK
from moderation.knowledge.files import Answer, Product

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
LANGS = ("en", "fr")
# Each link of the reply grows by its utm_content (the interaction's reference) when the template renders it.
LINK_TAG_ROOM = 30


def sent_length(reply: str) -> int:
    """The reply's length as the platform will count it, its links tagged."""
    return len(reply) + LINK_TAG_ROOM * len(LINK.findall(reply))


def price_text(price: Decimal, currency: str, lang: str) -> str:
    """€149 / €6.90 in English, 149 € / 6,90 € in French; other currencies as '149 CHF'."""
    amount = f"{price:.0f}" if price == price.to_integral_value() else f"{price:.2f}"
    if lang == "fr":
        amount = amount.replace(".", ",")
    symbol = SYMBOLS.get(currency)
    if symbol is None:
        return f"{amount} {currency}"
    return f"{amount} {symbol}" if lang == "fr" else f"{symbol}{amount}"


def facts(product: Product, lang: str) -> ProductFacts:
    return ProductFacts(sku=product.sku, name=product.name, price=f"{product.price:.2f}", currency=product.currency,
                        sizes=product.sizes, colors=product.colors, in_stock=product.in_stock, url=product.url,
                        description=product.description, price_text=price_text(product.price, product.currency, lang))


def size_key(size: str) -> str:
    """A size as compared: any case, no space ("100 g" in the catalogue is "100g" asked)."""
    return size.lower().replace(" ", "")


def catalogue_size(product: Product, size: str) -> str | None:
    """That size as the catalogue row writes it ("19 mm" for "19MM"), compared as `size_key` does; None when
    the product does not come in it."""
    return next((s for s in product.sizes if size_key(s) == size_key(size)), None)


def sells_size(product: Product, size: str) -> bool:
    return catalogue_size(product, size) is not None


def _list(values: tuple[str, ...], lang: str) -> str:
    if len(values) <= 1:
        return "".join(values)
    joiner = " et " if lang == "fr" else " and "
    return ", ".join(values[:-1]) + joiner + values[-1]


def product_answer(product: Product, lang: str, aspects: set[str], *, size: str | None,
                   colors: tuple[str, ...] | None, link: Callable[[str], str], restock: str | None = None) -> str:
    """The facts asked for (price and stock always; sizes, colours or description when asked) and its link.

    `size` is a size the question names; "sizes" in `aspects` asks for the sizes themselves (a measure:
    "combien de ml ?", "any bigger?"), as "size" does when no size is named. `colors` is None when no colour
    was asked, else the product's colours the question names; when it names none of them, every colour the
    product comes in is listed ("in brown?" of an apron in black, cocoa and ecru gets all three). `restock`, when
    the product is sold out and its return asked: the shop's answer on when sold-out things come back."""
    fr = lang == "fr"
    price = price_text(product.price, product.currency, lang)
    if product.in_stock > 0:
        stock = "en stock" if fr else "in stock"
    else:
        stock = "épuisé pour le moment" if fr else "sold out right now"
    parts = [f"{product.name} : {price}, {stock}." if fr else f"{product.name} is {price}, {stock}."]
    # Its sizes listed: asked as such (a measure, "any bigger?"), or a size aspect without a size named.
    sizes_asked = "sizes" in aspects or ("size" in aspects and size is None)
    sizes_listed = False
    if size is not None and product.sizes:
        sold = catalogue_size(product, size)
        if sold is not None:
            parts.append(f"Il existe en {sold}." if fr else f"It comes in {sold}.")
            sizes_listed = len(product.sizes) == 1  # that is all of them
        else:
            asked = size.upper() if size.isalpha() else size
            parts.append(f"Pas de {asked} : tailles {_list(product.sizes, lang)}." if fr
                         else f"No {asked}: sizes {_list(product.sizes, lang)}.")
            sizes_listed = True
    if sizes_asked and product.sizes and not sizes_listed:
        parts.append(f"Tailles : {_list(product.sizes, lang)}." if fr else f"Sizes: {_list(product.sizes, lang)}.")
    if colors is not None and product.colors:
        if colors:
            parts.append(f"Il existe en {_list(colors, lang)}." if fr else f"It comes in {_list(colors, lang)}.")
        else:
            parts.append(f"Coloris : {_list(product.colors, lang)}." if fr
                         else f"Colours: {_list(product.colors, lang)}.")
    if "detail" in aspects and product.description:
        parts.append(product.description.rstrip(".") + ".")
    if restock and product.in_stock <= 0:
        parts.append(restock.strip())
    parts.append(link(product.url))
    return " ".join(parts)


def answer_text(answer: Answer, lang: str, default_lang: str, link: Callable[[str], str]) -> str:
    """The answer in `lang` (else the default language, else any), with its link when it has one."""
    text = answer.answer.get(lang) or answer.answer.get(default_lang) or next(iter(answer.answer.values()))
    if answer.link and answer.link not in text:
        text = f"{text.rstrip()} {link(answer.link)}"
    return text


def answer_lang(answer: Answer, lang: str, default_lang: str) -> str:
    if lang in answer.answer:
        return lang
    return default_lang if default_lang in answer.answer else next(iter(answer.answer))
