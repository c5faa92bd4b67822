"""Reading knowledge.yaml and catalogue.csv (a public contract), validated in full; errors name file and line."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

CATALOGUE_HEADER = ("sku", "name", "price", "currency", "sizes", "colors", "in_stock", "url", "description")
ANSWER_KEYS = frozenset({"id", "questions", "answer", "link", "human"})
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_LANG = re.compile(r"^[a-z]{2}$")
_PRICE = re.compile(r"^\d+(\.\d{1,2})?$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class KnowledgeError(ValueError):
    """Every problem found in the knowledge files, one `file:line: message` per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Answer:
    id: str
    questions: dict[str, tuple[str, ...]]  # lang -> example questions
    answer: dict[str, str]  # lang -> answer text
    link: str | None = None
    human: bool = False
    line: int = 0


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price: Decimal
    currency: str
    sizes: tuple[str, ...]
    colors: tuple[str, ...]
    in_stock: int
    url: str
    description: str
    line: int = 0


@dataclass
class KnowledgeBase:
    answers: list[Answer] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)

    def product(self, sku: str) -> Product | None:
        return next((p for p in self.products if p.sku == sku), None)

    def answer(self, answer_id: str) -> Answer | None:
        return next((a for a in self.answers if a.id == answer_id), None)


def load_knowledge(answers: Path | None, catalogue: Path | None) -> KnowledgeBase:
    """Both files checked in full; one KnowledgeError lists every problem, each with its file and line."""
    problems: list[str] = []
    base = KnowledgeBase()
    if answers is not None:
        base.answers = read_answers(answers, problems)
    if catalogue is not None:
        base.products = read_catalogue(catalogue, problems)
    if problems:
        raise KnowledgeError(problems)
    return base


def _url_ok(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://")) and " " not in value.strip()


def read_answers(path: Path, problems: list[str]) -> list[Answer]:
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: cannot read: {exc}")
        return []
    try:
        node = yaml.compose(source, Loader=yaml.SafeLoader)
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(f"{path}:{mark.line + 1 if mark else 1}: YAML syntax error: "
                        f"{getattr(exc, 'problem', None) or exc}")
        return []

    def at(line: int, message: str) -> None:
        problems.append(f"{path}:{line}: {message}")

    if not isinstance(data, dict) or not isinstance(data.get("answers"), list):
        at(1, "expected a top-level `answers:` list (and nothing else)")
        return []
    # Two of eight people who wrote a brand's file from the docs alone put `brand:` or `website:` above the answers:
    # each extra key is named at its line, and the answers are still checked, so one run lists every problem.
    top_lines = {key.value: key.start_mark.line + 1 for key, _ in node.value} if isinstance(node, yaml.MappingNode) \
        else {}
    for key in sorted(set(data) - {"answers"}, key=str):
        at(top_lines.get(key, 1), f"unknown top-level key '{key}': the file holds only `answers:` (a brand's name, "
                                  "website or hours go in an answer's text)")
    items = _items(node)
    out: list[Answer] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(data["answers"]):
        line, keys = items[index] if index < len(items) else (1, {})
        if not isinstance(item, dict):
            at(line, "each answer is a mapping with id, questions and answer")
            continue
        for key in sorted(set(item) - ANSWER_KEYS):
            at(keys.get(key, line), f"unknown key '{key}' (valid: {', '.join(sorted(ANSWER_KEYS))})")
        answer_id = item.get("id")
        if not isinstance(answer_id, str) or not _ID.match(answer_id):
            at(keys.get("id", line), "`id` is required: letters, digits, '-', '_' or '.'")
            answer_id = None
        elif answer_id in seen:
            at(keys.get("id", line), f"id '{answer_id}' already used on line {seen[answer_id]}")
        else:
            seen[answer_id] = keys.get("id", line)
        questions = _by_lang(item.get("questions"), list, "questions", keys.get("questions", line), at)
        texts = _by_lang(item.get("answer"), str, "answer", keys.get("answer", line), at)
        link = item.get("link")
        if link is not None and not _url_ok(link):
            at(keys.get("link", line), f"link must be an http(s) URL, got {link!r}")
        human = item.get("human", False)
        if not isinstance(human, bool):
            at(keys.get("human", line), f"human is true or false, got {human!r}")
        if questions is not None and texts is not None and answer_id is not None:
            missing = sorted(set(questions) - set(texts))
            if missing:
                at(keys.get("answer", line), f"no answer text for language(s) {', '.join(missing)} "
                                             "that have questions")
                continue
            out.append(Answer(id=answer_id, questions={k: tuple(v) for k, v in questions.items()}, answer=texts,
                              link=link.strip() if isinstance(link, str) else None, human=human is True, line=line))
    return out


def _by_lang(value: Any, kind: type, name: str, line: int, at: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict) or not value:
        at(line, f"`{name}` is required: a mapping of language code (en, fr…) to "
                 + ("a list of example questions" if kind is list else "the answer text"))
        return None
    ok = True
    for lang, entry in value.items():
        if not isinstance(lang, str) or not _LANG.match(lang):
            at(line, f"{name}: language {lang!r} is not a two-letter code like 'en' or 'fr'")
            ok = False
        elif kind is list and (not isinstance(entry, list) or not entry
                               or not all(isinstance(q, str) and q.strip() for q in entry)):
            at(line, f"{name}.{lang}: a non-empty list of question texts")
            ok = False
        elif kind is str and (not isinstance(entry, str) or not entry.strip()):
            at(line, f"{name}.{lang}: a non-empty text")
            ok = False
    return dict(value) if ok else None


def _items(root: yaml.Node | None) -> list[tuple[int, dict[str, int]]]:
    """(line, {key: line}) of every item of the `answers` list, from the composed node tree."""
    if not isinstance(root, yaml.MappingNode):
        return []
    for key_node, value_node in root.value:
        if key_node.value == "answers" and isinstance(value_node, yaml.SequenceNode):
            out = []
            for item in value_node.value:
                keys = ({k.value: k.start_mark.line + 1 for k, _ in item.value}
                        if isinstance(item, yaml.MappingNode) else {})
                out.append((item.start_mark.line + 1, keys))
            return out
    return []


def read_catalogue(path: Path, problems: list[str]) -> list[Product]:
    try:
        source = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: cannot read: {exc}")
        return []
    reader = csv.reader(io.StringIO(source, newline=""))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != CATALOGUE_HEADER:
        problems.append(f"{path}:1: header must be exactly {','.join(CATALOGUE_HEADER)}")
        return []
    out: list[Product] = []
    seen: dict[str, int] = {}
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(f"{path}:{line}: {exc}")
            break
        line = reader.line_num  # a quoted field may span lines: the row ends here
        if not any(cell.strip() for cell in row):
            continue
        product = _product(row, line, seen, lambda message, n=line: problems.append(f"{path}:{n}: {message}"))
        if product is not None:
            out.append(product)
    return out


def _product(row: list[str], line: int, seen: dict[str, int], at: Any) -> Product | None:
    if len(row) != len(CATALOGUE_HEADER):
        at(f"expected {len(CATALOGUE_HEADER)} columns, found {len(row)} (quote fields that contain commas)")
        return None
    cells = dict(zip(CATALOGUE_HEADER, (cell.strip() for cell in row), strict=True))
    ok = True
    if not cells["sku"]:
        at("sku is empty")
        ok = False
    elif cells["sku"] in seen:
        at(f"sku '{cells['sku']}' already used on line {seen[cells['sku']]}")
        ok = False
    else:
        seen[cells["sku"]] = line
    if not cells["name"]:
        at("name is empty")
        ok = False
    price = None
    if not _PRICE.match(cells["price"]):
        at(f"price must be a number with a dot decimal like 89.00, got {cells['price']!r}")
        ok = False
    else:
        try:
            price = Decimal(cells["price"])
        except InvalidOperation:
            ok = False
    if not _CURRENCY.match(cells["currency"]):
        at(f"currency must be a 3-letter ISO code like EUR, got {cells['currency']!r}")
        ok = False
    if not re.fullmatch(r"\d+", cells["in_stock"]):
        at(f"in_stock must be a whole number (0 = sold out), got {cells['in_stock']!r}")
        ok = False
    if not _url_ok(cells["url"]):
        at(f"url must be an http(s) URL, got {cells['url']!r}")
        ok = False
    if not ok or price is None:
        return None
    return Product(sku=cells["sku"], name=cells["name"], price=price, currency=cells["currency"],
                   sizes=_split(cells["sizes"]), colors=_split(cells["colors"]), in_stock=int(cells["in_stock"]),
                   url=cells["url"], description=cells["description"], line=line)


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|") if part.strip())
