"""Building a retriever over a made-up shop's files, the way the retrieval tests all need it."""

from __future__ import annotations

from pathlib import Path

from moderation.classifier.encoder import HashingEncoder
from moderation.knowledge import load_knowledge
from moderation.knowledge.retrieval import Question, Retriever

# Each retrieval test runs twice: on words alone, and with a (hashing) encoder beside them, since meaning may only
# raise a match the words support.
RETRIEVER_KINDS = ["words", "hashing-encoder"]
EMPTY_CATALOGUE = "sku,name,price,currency,sizes,colors,in_stock,url,description\n"


def retriever_for(tmp_path: Path, answers_yaml: str, catalogue_csv: str, kind: str) -> Retriever:
    (tmp_path / "knowledge.yaml").write_text(answers_yaml, encoding="utf-8")
    (tmp_path / "catalogue.csv").write_text(catalogue_csv, encoding="utf-8")
    base = load_knowledge(tmp_path / "knowledge.yaml", tmp_path / "catalogue.csv")
    return Retriever(base, HashingEncoder(256).encode if kind == "hashing-encoder" else None)


def ask(retriever: Retriever, text: str, intent: str = "pricing", lang: str = "en", **kwargs) -> object:
    return retriever.ground(Question(text=text, lang=lang, intent=intent, **kwargs))
