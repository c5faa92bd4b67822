"""Fixtures: a tiny classifier trained on inline data with the model-free hashing encoder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from moderation.classifier.artifacts import ClassifierArtifacts
from moderation.classifier.encoder import HashingEncoder
from moderation.classifier.model import LinearClassifier
from moderation.classifier.training import train_classifier

HASHING = "hashing:128"

OFFENSIVE = [
    ("@user you are a stupid idiot", 1), ("shut up you fucking moron", 1), ("what a pathetic loser", 1),
    ("you dumb clown go away", 1), ("idiot moron loser", 1), ("nobody likes you stupid", 1),
    ("have a nice day everyone", 0), ("great game last night", 0), ("love this song so much", 0),
    ("the weather is nice today", 0), ("thanks for sharing this", 0), ("happy birthday my friend", 0),
    ("good morning all", 0), ("what a lovely photo", 0),
]
SENTIMENT = [
    ("I love this, amazing", 2), ("so happy today", 2), ("best day ever", 2), ("great news thanks", 2),
    ("I hate this, awful", 0), ("terrible service, angry", 0), ("worst day ever", 0), ("so sad and bad", 0),
    ("the meeting is at noon", 1), ("it is tuesday", 1), ("the bus leaves at 5", 1), ("new post up", 1),
]
COMMENTS = [
    ("how much is it", "pricing", "neutral", 0), ("price please", "pricing", "neutral", 0),
    ("c'est combien le prix", "pricing", "neutral", 0), ("how much for the price", "pricing", "neutral", 0),
    ("where is my order", "order_support", "negative", 0), ("my order never arrived", "order_support", "negative", 0),
    ("colis pas reçu, ma commande", "order_support", "negative", 0),
    ("order tracking not moving", "order_support", "negative", 0),
    ("love it so much", "praise", "positive", 0), ("trop beau j'adore", "praise", "positive", 0),
    ("so beautiful love it", "praise", "positive", 0), ("love love love", "praise", "positive", 0),
    ("you stupid idiot", "other", "negative", 1), ("sale conne idiote", "other", "negative", 1),
]
HATE = [
    ("send them all back, immigrants out", 1), ("women belong in the kitchen", 1), ("deport every one of them", 1),
    ("foreigners ruin everything", 1), ("nice day at the beach", 0), ("good luck with the exam", 0),
]
# (text, lang, toxic_kind): the project toxicity examples, `none` for the hard negatives.
TOXICITY = [
    ("I will find you and hurt you", "en", "threat"), ("watch your back tonight", "en", "threat"),
    ("je vais te retrouver, tu vas le payer", "fr", "threat"), ("on sait où tu habites", "fr", "threat"),
    ("je vais te casser la gueule", "fr", "threat"), ("you will pay for this, I know your address", "en", "threat"),
    ("tg sale bouffon", "fr", "insult"), ("bande de guignols", "fr", "insult"), ("fdp de vendeur", "fr", "insult"),
    ("you absolute idiots", "en", "insult"), ("retourne dans ton pays", "fr", "hate"),
    ("les immigrés dehors", "fr", "hate"), ("rentrez chez vous les étrangers", "fr", "hate"),
    ("I want to kill myself", "en", "self_harm"), ("je veux mourir", "fr", "self_harm"),
    ("j'ai envie d'en finir", "fr", "self_harm"),
    ("this is fucking amazing", "en", "none"), ("putain c'est trop beau", "fr", "none"),
    ("damn the shipping is slow", "en", "none"), ("service client nul, toujours pas de réponse", "fr", "none"),
]
TOXICITY_FILE = "toxicity.jsonl"


def write_tiny_data(root: Path) -> tuple[Path, Path]:
    """TweetEval-shaped folders, a project comments file and a toxicity examples file (`root/TOXICITY_FILE`),
    all from the inline lists above."""
    for task, rows in (("offensive", OFFENSIVE), ("sentiment", SENTIMENT), ("hate", HATE)):
        folder = root / "tweeteval" / task
        folder.mkdir(parents=True)
        for split in ("train", "val"):
            (folder / f"{split}_text.txt").write_text("\n".join(t for t, _ in rows) + "\n")
            (folder / f"{split}_labels.txt").write_text("\n".join(str(y) for _, y in rows) + "\n")
    comments = root / "comments.jsonl"
    comments.write_text("".join(
        json.dumps({"text": t, "lang": "en", "intent": i, "sentiment": s, "toxic": x}) + "\n"
        for t, i, s, x in COMMENTS
    ))
    (root / TOXICITY_FILE).write_text("".join(
        json.dumps({"text": t, "lang": lang, "toxic": int(kind != "none"), "toxic_kind": kind}) + "\n"
        for t, lang, kind in TOXICITY
    ))
    return root, comments


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tiny")
    data_dir, comments = write_tiny_data(root / "data")
    models_dir = root / "models"
    train_classifier(HashingEncoder(128), data_dir, models_dir, cache_dir=None, comments_path=comments,
                     toxicity_path=data_dir / TOXICITY_FILE)
    return models_dir


@pytest.fixture()
def tiny_classifier(tiny_models: Path) -> LinearClassifier:
    return LinearClassifier(HashingEncoder(128), ClassifierArtifacts.load(tiny_models))
