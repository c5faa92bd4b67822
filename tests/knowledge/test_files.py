"""knowledge.yaml and catalogue.csv: the public format loads, and every mistake is reported with file and line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from moderation.knowledge import KnowledgeError, load_knowledge
from socialops.demo.questions import KNOWLEDGE_DIR


def test_the_issue_format_loads(brand) -> None:
    answer = brand.answer("shipping-ireland")
    assert answer is not None
    assert answer.questions["fr"] == ("combien pour livrer en Irlande ?",)
    assert answer.answer["en"].startswith("Shipping to Ireland is €6.90")
    assert answer.link == "https://example.com/shipping" and answer.human is False
    assert brand.answer("returns").human is True
    tote = brand.product("TOTE-1")
    assert tote.price == Decimal("89.00") and tote.colors == ("black", "tan") and tote.sizes == ()
    assert tote.in_stock == 4 and tote.description == "Leather tote bag, the chevron bag"
    assert brand.product("SERUM-30").name == "Sérum Éclat"


def test_the_demo_brand_files_are_valid() -> None:
    base = load_knowledge(KNOWLEDGE_DIR / "knowledge.yaml", KNOWLEDGE_DIR / "catalogue.csv")
    assert len(base.answers) >= 20 and len(base.products) >= 10


def _problems(tmp_path: Path, yaml_text: str | None = None, csv_text: str | None = None) -> list[str]:
    answers = catalogue = None
    if yaml_text is not None:
        answers = tmp_path / "knowledge.yaml"
        answers.write_text(yaml_text, encoding="utf-8")
    if csv_text is not None:
        catalogue = tmp_path / "catalogue.csv"
        catalogue.write_text(csv_text, encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(answers, catalogue)
    return caught.value.problems


def test_answer_mistakes_name_file_and_line(tmp_path: Path) -> None:
    problems = _problems(tmp_path, """\
answers:
  - id: ok-one
    questions: {en: ["hi?"]}
    answer: {en: "hello"}
  - id: ok-one
    questions: {en: ["again?"]}
    answer: {en: "again"}
  - id: no-fr-answer
    questions: {en: ["a?"], fr: ["b ?"]}
    answer: {en: "a"}
  - id: bad-bits
    questions: {english: ["a?"]}
    answer: {en: "a"}
    link: example.com/x
    human: "yes"
    tone: friendly
  - questions: {en: ["no id?"]}
    answer: {en: "x"}
""")
    path = str(tmp_path / "knowledge.yaml")
    assert all(problem.startswith(f"{path}:") for problem in problems)
    text = "\n".join(problems)
    assert f"{path}:5: id 'ok-one' already used on line 2" in text
    assert f"{path}:10: no answer text for language(s) fr" in text
    assert f"{path}:12: questions: language 'english'" in text
    assert f"{path}:14: link must be an http(s) URL" in text
    assert f"{path}:15: human is true or false" in text
    assert f"{path}:16: unknown key 'tone'" in text
    assert f"{path}:17: `id` is required" in text


def test_keys_beside_answers_are_named_at_their_line_and_the_answers_still_checked(tmp_path: Path) -> None:
    # As two of eight people wrote it from the docs alone: the brand's name and website above the answers.
    problems = _problems(tmp_path, """\
brand: Galway Surf School
website: https://galwaysurf.example
answers:
  - id: lessons
    questions: {en: ["when are lessons?"]}
    answer: {en: "Daily at 10am."}
    tone: chill
""")
    path = tmp_path / "knowledge.yaml"
    assert problems == [
        f"{path}:1: unknown top-level key 'brand': the file holds only `answers:` (a brand's name, website or hours "
        "go in an answer's text)",
        f"{path}:2: unknown top-level key 'website': the file holds only `answers:` (a brand's name, website or "
        "hours go in an answer's text)",
        f"{path}:7: unknown key 'tone' (valid: answer, human, id, link, questions)"]
    assert _problems(tmp_path, "brand: x\n")[0] == f"{path}:1: expected a top-level `answers:` list (and nothing else)"


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "answers:\n  - id: a\n    questions: [unclosed\n")
    assert problems[0].startswith(f"{tmp_path / 'knowledge.yaml'}:") and "YAML syntax error" in problems[0]


def test_catalogue_mistakes_name_file_and_line(tmp_path: Path) -> None:
    problems = _problems(tmp_path, csv_text="""\
sku,name,price,currency,sizes,colors,in_stock,url,description
A1,Good,10.00,EUR,S|M,red,3,https://x.example/a,fine
A1,Twice,10.00,EUR,,,1,https://x.example/b,dup
B1,Comma price,12,50,EUR,,,1,https://x.example/c,too many columns
C1,Words,12.50,euro,,,many,x.example/d,bad
D1,Comma decimal,"12,50",EUR,,,1,https://x.example/e,bad price
""")
    path = str(tmp_path / "catalogue.csv")
    text = "\n".join(problems)
    assert f"{path}:3: sku 'A1' already used on line 2" in text
    assert f"{path}:4: expected 9 columns, found 10" in text
    assert f"{path}:5: currency must be a 3-letter ISO code" in text
    assert f"{path}:5: in_stock must be a whole number" in text
    assert f"{path}:5: url must be an http(s) URL" in text
    assert f"{path}:6: price must be a number with a dot decimal" in text


def test_catalogue_header_must_be_exact(tmp_path: Path) -> None:
    problems = _problems(tmp_path, csv_text="sku,name,price\nA,B,1.00\n")
    assert problems == [f"{tmp_path / 'catalogue.csv'}:1: header must be exactly "
                        "sku,name,price,currency,sizes,colors,in_stock,url,description"]
