"""Issue 15 item 4: `socialops classify` answers every line, in order, whatever the line holds; the output is
always standard JSON in UTF-8."""

from __future__ import annotations

import json
import math
from pathlib import Path

from click.testing import CliRunner

from moderation.classifier import clear_cache
from tests.classifier.conftest import HASHING
from tests.classifier.test_cli import cli

HOSTILE_LINES = [
    b'{"id": 1, "text": "how much is it"}',
    b'{"id": 2, "text": "\\ud800 x"}',  # a lone surrogate: valid JSON, invalid text
    b'{"id": 3, "text": "ok", "deep": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b'{"id": 4, "text": "ok", "n": ' + b"1" * 5000 + b"}",
    b'{"id": 5, "text": "ok", "score": NaN}',
    b'{"id": 6, "text": "nul \\u0000 inside"}',
    b"[" * 5000,
    b'{"id": 8, "text": "love it so much"}',
]


def strict_json(line: str) -> dict:
    def refuse(name: str) -> float:
        raise AssertionError(f"non-standard JSON constant {name}")

    return json.loads(line, parse_constant=refuse)


def test_every_hostile_line_gets_one_answer_and_the_run_goes_on(tiny_models: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOCIALOPS_ENCODER", HASHING)
    clear_cache()
    stdin = b"\n".join(HOSTILE_LINES) + b"\n"
    result = CliRunner().invoke(cli(), ["classify", "--models-dir", str(tiny_models)], input=stdin)
    assert result.exit_code == 0, result.output
    out = [strict_json(line) for line in result.stdout_bytes.decode("utf-8").splitlines()]
    assert len(out) == len(HOSTILE_LINES)
    assert [o.get("id") for o in out] == [1, 2, 3, 4, 5, 6, None, 8]
    assert ["error" in o for o in out] == [False, False, True, True, True, False, True, False]
    assert out[1]["text"] == "\ud800 x"  # the field kept as given (escaped in the JSON, so UTF-8 holds it)
    assert "nested deeper" in out[2]["error"] and "number too long" in out[3]["error"]
    assert out[0]["intent"] == "pricing" and out[7]["intent"] == "praise"
    assert all(math.isfinite(o["toxicity"]) for o in out if "error" not in o)
