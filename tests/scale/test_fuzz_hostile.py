"""Issue 15's property-based suite (hypothesis): the classify reader, the export readers, the webhook
receiver, the team-file loader and the playbook loader, fed valid lines mixed with hostile ones (deep
nesting, huge numbers, NaN, NUL, lone surrogates, stray quotes, huge fields, random bytes). Asserted: every
input line gets exactly one answer, the valid neighbours are never lost, and no unexpected exception escapes."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from moderation.classifier.jsonl import classify_lines
from moderation.domain import Scores, Sentiment
from moderation.ingest.files import FileEncodingError, read_export
from moderation.ingest.webhooks import WebhookOptions, WebhookSecrets, create_webhook_app
from moderation.platforms.signatures import meta_signature
from moderation.storage import Database
from playbooks import Library, load_library
from playbooks.errors import PlaybookError
from socialops.config import ConfigError, Settings, load_settings
from tests.support.hostile import delivery, instagram_comment

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Lines no reader may die on, each alone on its line.
HOSTILE_JSON = [
    b"[" * 5000, b'{"a": ' + b"[" * 100_000, b'{"n": ' + b"9" * 5000 + b"}", b'{"n": NaN}', b'{"n": -Infinity}',
    b'{"text": "\\ud800"}', b'{"text": "\\u0000"}', b"\xff\xfe\x00", b"{", b"null", b"[]", b'"text"', b"1e999",
    b'{"id": {"x": 1}, "text": ["a"]}', b'{"platform": "instagram", "id": "\\udfff", "text": "x"}',
]
hostile_lines = st.one_of(st.sampled_from(HOSTILE_JSON), st.binary(max_size=60).filter(lambda b: b"\n" not in b
                                                                                        and b"\r" not in b))


class KeywordClassifier:
    """A leaf stand-in for the model (the reader is under test, not the model): deterministic scores, and a
    failure on texts containing BOOM, like a tokenizer choking on one odd input."""

    name, version = "keywords", "1"

    def classify(self, texts: Sequence[str], *, explain: bool = False) -> list[Scores]:
        if any("BOOM" in text for text in texts):
            raise TypeError("tokenizer failure")
        return [Scores(intent="pricing" if "price" in t else "other", intent_confidence=0.9, toxicity=0.1,
                       sentiment=Sentiment.neutral, lang="en") for t in texts]


def _strict(line: str) -> dict:
    return json.loads(line, parse_constant=lambda name: (_ for _ in ()).throw(AssertionError(name)))


@FUZZ
@given(st.lists(st.one_of(hostile_lines, st.integers(0, 10**6).map(lambda i: ("valid", i)),
                          st.just(("boom", 0))), min_size=1, max_size=25), st.integers(1, 8))
def test_classify_reader_answers_every_line_once_and_keeps_valid_neighbours(items, batch) -> None:
    lines = []
    for item in items:
        if isinstance(item, tuple):
            text = "BOOM here" if item[0] == "boom" else f"price {item[1]}"
            lines.append(json.dumps({"id": item[1], "text": text}).encode())
        else:
            lines.append(item)
    out = [_strict(line) for line in classify_lines(lines, KeywordClassifier(), batch=batch)]
    assert len(out) == len(lines)
    for item, answer in zip(items, out, strict=True):
        if isinstance(item, tuple) and item[0] == "valid":
            expected = {"id": item[1], "text": f"price {item[1]}", "intent": "pricing", "intent_confidence": 0.9,
                        "toxicity": 0.1, "toxic": False, "sentiment": "neutral", "lang": "en"}
            assert {key: answer.get(key) for key in expected} == expected and "error" not in answer
        elif isinstance(item, tuple):
            assert "error" in answer and answer["id"] == item[1]
    for line in classify_lines(lines, KeywordClassifier(), batch=batch):
        line.encode("utf-8")  # every answer can be written as UTF-8


VALID_RECORD = {"platform": "instagram", "kind": "comment", "author": "a", "time": "2026-11-15T14:03:11Z"}


@FUZZ
@given(st.lists(st.one_of(hostile_lines, st.integers(0, 10**6)), min_size=1, max_size=25))
def test_jsonl_reader_answers_every_line_once_and_keeps_valid_records(items) -> None:
    lines = [json.dumps({**VALID_RECORD, "id": str(i), "text": f"t{i}"}).encode() if isinstance(i, int) else i
             for i in items]
    data = b"\n".join(lines) + b"\n"
    parsed = _read_export_bytes(data, ".jsonl")
    if parsed is None:
        assert any(not _utf8(line) for line in lines)  # refused whole, never stored corrupted
        return
    text_lines = data.decode("utf-8-sig").splitlines()
    assert [p.line for p in parsed] == [n for n, line in enumerate(text_lines, start=1) if line.strip()]
    assert all((p.interaction is None) != (p.error is None) for p in parsed)
    good = {p.interaction.external_id for p in parsed if p.interaction is not None}
    assert {str(i) for i in items if isinstance(i, int)} <= good


def _read_export_bytes(data: bytes, suffix: str) -> list | None:
    """The export reader's records for a file holding `data`; None when it refuses the file's encoding."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"f{suffix}"
        path.write_bytes(data)
        try:
            return list(read_export(path))
        except FileEncodingError:
            return None


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


hostile_cells = st.one_of(
    st.sampled_from(['"unterminated', "x" * 140_000, "nul\x00inside", "\ud800", "a\rb", 'say "hi"', "", ","]),
    st.text(alphabet=st.characters(blacklist_characters='"\n\r,'), max_size=20),
)


@FUZZ
@given(st.lists(st.one_of(st.integers(0, 10**6), st.lists(hostile_cells, min_size=1, max_size=9)),
                min_size=1, max_size=12))
def test_csv_reader_keeps_every_valid_row_after_any_bad_one(rows) -> None:
    header = "platform,kind,id,author,text,post_id,time,follower,vip"
    lines = [header]
    for row in rows:
        if isinstance(row, int):
            lines.append(f"youtube,comment,V{row},anna,text {row},v1,2026-11-16T10:00:00Z,no,no")
        else:
            lines.append(",".join(row))
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    parsed = _read_export_bytes(data, ".csv")
    if parsed is None:
        assert not _utf8(data)
        return
    good = {p.interaction.external_id for p in parsed if p.interaction is not None}
    numbers = [p.line for p in parsed]
    assert numbers == sorted(set(numbers))  # one answer per record, in file order
    # A valid row is lost only when a stray quote earlier opened a field that a later quote legitimately
    # closed (CSV allows new lines inside quotes); with no quote in the file, none is ever lost.
    if '"' not in data.decode("utf-8", "replace"):
        assert {f"V{r}" for r in rows if isinstance(r, int)} <= good
        physical = data.decode("utf-8").splitlines()[1:]  # a bare \r ends a line for csv too
        assert len(parsed) == sum(1 for line in physical if line.strip())


_tmp = tempfile.TemporaryDirectory()
_db = Database(f"sqlite:///{_tmp.name}/hostile.db")
_SECRET = "meta-secret-hostile"
_client = TestClient(create_webhook_app(_db, WebhookSecrets(meta_verify_token="v" * 12, meta_app_secret=_SECRET),
                                        WebhookOptions(max_body_bytes=512 * 1024)))


@FUZZ
@given(hostile_lines, st.integers(0, 10**9))
def test_receiver_answers_hostile_bodies_without_500_and_keeps_storing_valid_ones(body, n) -> None:
    response = _client.post("/webhooks/meta", content=body,
                            headers={"X-Hub-Signature-256": meta_signature(body, _SECRET)})
    assert response.status_code in (200, 400, 413), response.text
    valid = delivery([instagram_comment(f"v{n}", "still works", author=f"a{n}")])
    after = _client.post("/webhooks/meta", content=valid,
                         headers={"X-Hub-Signature-256": meta_signature(valid, _SECRET)})
    assert after.status_code == 200 and after.json()["stored"] + after.json()["duplicates"] == 1


yaml_fragments = st.one_of(
    st.sampled_from([b"\x00\x01binary", b"a: 1\na: 2\n", b"x: " + b"[" * 5000, b"\xff\xfe", b"a: &x [*x]",
                     b"team: {name: x}\ndatabase_url: 'mysql://u@h/db'\n", b"database_url: 'postgres:PW@h/d'\n",
                     b"database_url: 'postgresql://u@h:notaport/d'\n", b"accounts: [{platform: instagram, id: '1',"
                     b" token_env: EAAB-secret-token-123456}]\n", b"worker: {batch_size: 1e999}\n",
                     b"team: {timezone: \"\\ud800\"}\n", b"!!python/object:os.system {}\n"]),
    st.binary(max_size=120),
    st.text(max_size=120).map(lambda t: t.encode("utf-8", "surrogatepass")),
)


@FUZZ
@given(yaml_fragments)
def test_team_file_loader_loads_or_raises_one_config_error_line(content) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "team.yaml"
        path.write_bytes(content)
        try:
            assert isinstance(load_settings(path), Settings)
        except ConfigError as exc:
            message = str(exc)
            assert message.startswith(str(path)) and "\n" not in message
            for secret in ("PW@", "EAAB-secret-token-123456"):
                assert secret not in message


@FUZZ
@given(st.lists(yaml_fragments, min_size=1, max_size=3))
def test_playbook_loader_loads_or_raises_located_playbook_errors(contents) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for index, content in enumerate(contents):
            (folder / f"book{index}.yaml").write_bytes(content)
        try:
            assert isinstance(load_library(folder), Library)
        except PlaybookError as exc:
            assert exc.issues and all(issue.file.startswith(str(folder)) for issue in exc.issues)
