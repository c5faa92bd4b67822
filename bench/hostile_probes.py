"""Issue 15's probe list, run against the checkout in the current folder: hostile inputs through the real entry
points (the CLI as a subprocess, the webhook app, the loaders), tallied per category as tried/passed/failed.

    cd <checkout> && python /path/to/bench/hostile_probes.py [--postgres URL] [--only CATEGORY]

Run it in an old checkout and in a new one to compare. A probe passes when the input gets a clear answer and
nothing valid around it is lost: never a crash, a hang (timeout), a 500, a silent loss or an echoed secret.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path.cwd()
sys.path.insert(0, str(ROOT))  # the checkout under test, not this file's folder
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SECRET = "S3CRETPASS"
TOKEN = "EAABsbCS1iHgBAKZCZB3xyzSECRETTOKEN9"
HEADER = "platform,kind,id,author,text,post_id,time,follower,vip\n"
VALID = {"platform": "instagram", "kind": "comment", "author": "Chloe Private", "post_id": "p1",
         "time": "2026-11-15T14:03:11Z", "follower": False, "vip": False}
PROBES: list[tuple[str, str, Callable[[], str | None]]] = []  # category, name, run -> None if passed else why


def probe(category: str, name: str) -> Callable[[Callable[[], str | None]], Callable[[], str | None]]:
    def register(function: Callable[[], str | None]) -> Callable[[], str | None]:
        PROBES.append((category, name, function))
        return function

    return register


def cli(*args: str, stdin: bytes = b"", env: dict[str, str] | None = None, timeout: float = 120,
        cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    environment = {key: value for key, value in os.environ.items() if key != "SOCIALOPS_DATABASE_URL"}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "socialops", *args], input=stdin, capture_output=True,
                          timeout=timeout, cwd=cwd or ROOT, env={**environment, "PYTHONPATH": str(ROOT)})


# --- 1. playbook regexes -------------------------------------------------------------------------------------
REGEX_SCRIPT = """
import sys, yaml, tempfile, pathlib
from playbooks import load_library
from tests.playbooks.conftest import context, interaction, scores
folder = pathlib.Path(tempfile.mkdtemp())
(folder / "b.yaml").write_text(yaml.safe_dump({"name": "b", "rules": [{"id": "r", "when": {"regex": [sys.argv[1]]},
                                                                       "actions": [{"tag": ["x"]}]}]}))
try:
    library = load_library(folder)
except Exception as exc:
    print("REFUSED", str(exc).splitlines()[0]); sys.exit(0)
library.decide(interaction(text=sys.argv[2]), scores(), context())
print("DECIDED")
"""


def regex_probe(pattern: str, text: str) -> Callable[[], str | None]:
    def run() -> str | None:
        try:
            done = subprocess.run([sys.executable, "-c", REGEX_SCRIPT, pattern, text], capture_output=True,
                                  timeout=20, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        except subprocess.TimeoutExpired:
            return "still matching after 20 s"
        out = done.stdout.decode()
        if out.startswith("REFUSED"):
            return None if re.search(r"\.yaml:\d+:", out) else f"refused without a line: {out}"
        return None if out.startswith("DECIDED") else f"crashed: {done.stderr.decode()[-200:]}"

    return run


for _pattern, _text in [("(a+)+$", "a" * 34 + "!"), ("(a|aa)+$", "a" * 40 + "!"), ("(x+x+)+y", "x" * 40),
                        ("^(\\w+\\s?)*$", "word " * 12 + "!"), ("(.*a){25}", "a" * 30), ("(?<=price)s", "prices"),
                        ("(a)\\1", "aa")]:
    probe("1 playbook regex", f"{_pattern!r}")(regex_probe(_pattern, _text))


# --- 2. NUL / surrogates / refused rows through the webhook receiver and ingest ---------------------------------
def _delivery(comment_id: str, text: str, author: str = "u1", name: str = "user") -> bytes:
    value = {"from": {"id": author, "username": name}, "media": {"id": "m1"}, "id": comment_id, "text": text}
    entry = {"id": "17841400000000000", "time": 1764000000, "changes": [{"field": "comments", "value": value}]}
    return json.dumps({"object": "instagram", "entry": [entry]}).encode()


class Receiver:
    """The checkout's webhook app on a database (SQLite file or a fresh PostgreSQL one)."""

    def __init__(self, url: str) -> None:
        from starlette.testclient import TestClient

        from moderation.ingest.webhooks import WebhookOptions, WebhookSecrets, create_webhook_app
        from moderation.storage import Database

        self.db = Database(url)
        app = create_webhook_app(self.db, WebhookSecrets(meta_verify_token="verify", meta_app_secret="app-secret"),
                                 WebhookOptions(max_body_bytes=4 * 1024 * 1024))
        self.client = TestClient(app, raise_server_exceptions=False)

    def post(self, body: bytes, headers: dict[str, str] | None = None) -> int:
        from moderation.platforms.signatures import meta_signature

        response = self.client.post("/webhooks/meta", content=body, headers={
            "X-Hub-Signature-256": meta_signature(body, "app-secret"), **(headers or {})})
        return response.status_code

    def count(self) -> int:
        import sqlalchemy as sa

        with self.db.engine.connect() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM interactions")).scalar_one()


def group_commit_probe(backend: str, bad: bytes) -> Callable[[], str | None]:
    """The bad delivery among 40 valid ones sharing group commits: the valid ones are all stored and answered
    200, and the bad one gets a final answer (200 stored or dead-lettered, or 400), not 503 forever."""

    def run() -> str | None:
        url = _database(backend)
        if url is None:
            return "skipped: no PostgreSQL (--postgres)"
        receiver = Receiver(url)
        from moderation.platforms.signatures import meta_signature

        async def burst() -> list[int]:
            import httpx

            transport = httpx.ASGITransport(app=receiver.client.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://probe") as http:
                bodies = [_delivery(f"g{i}", f"valid {i}") for i in range(20)] + [bad] + \
                         [_delivery(f"h{i}", f"valid {i}") for i in range(20)]
                answers = await asyncio.gather(*(http.post("/webhooks/meta", content=b, headers={
                    "X-Hub-Signature-256": meta_signature(b, "app-secret")}) for b in bodies))
                return [a.status_code for a in answers]

        codes = asyncio.run(burst())
        others = codes[:20] + codes[21:]
        if any(code != 200 for code in others):
            return f"{sum(code != 200 for code in others)} of 40 valid deliveries answered {set(others) - {200}}"
        if receiver.count() < 40:
            return f"only {receiver.count()} of 40 valid deliveries stored"
        again = receiver.post(bad)
        if codes[20] >= 500 or again >= 500:
            return f"the bad delivery answered {codes[20]}, then {again} on redelivery"
        return None

    return run


_PG: dict[str, str] = {}


def _database(backend: str) -> str | None:
    if backend == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp()}/probe.db"
    base = _PG.get("base")
    if not base:
        return None
    import uuid

    import sqlalchemy as sa

    admin = sa.create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    name = f"probe_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.rsplit("/", 1)[0] + f"/{name}"


for _backend in ("sqlite", "postgresql"):
    for _label, _bad in [("text with NUL", _delivery("bad1", "nul\u0000here")),
                         ("text with a lone surrogate", _delivery("bad2", "x \ud800 y")),
                         ("author name with NUL", _delivery("bad3", "hi", name="ev\u0000il")),
                         ("comment id with NUL", _delivery("bad\u00004", "hi")),
                         ("author name of 300 characters", _delivery("bad5", "hi", name="n" * 300))]:
        probe("2 storage (group commit)", f"{_backend}: {_label}")(group_commit_probe(_backend, _bad))


def ingest_poison_probe(backend: str) -> Callable[[], str | None]:
    def run() -> str | None:
        url = _database(backend)
        if url is None:
            return "skipped: no PostgreSQL (--postgres)"
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "export.jsonl"
            rows = [{**VALID, "id": str(i), "text": "nul\u0000 here" if i == 250 else f"row {i}"} for i in range(500)]
            path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
            done = cli("ingest", str(path), env={"SOCIALOPS_DATABASE_URL": url})
        out = (done.stdout + done.stderr).decode("utf-8", "replace")
        if "Chloe Private" in out:
            return "the output shows author names (SQL parameters)"
        if "stored 500" not in out:
            return f"not every row stored: {out.strip().splitlines()[-1][:160] if out.strip() else done.returncode}"
        return None

    return run


for _backend in ("sqlite", "postgresql"):
    probe("2 storage (group commit)", f"{_backend}: ingest of 500 rows with one NUL")(ingest_poison_probe(_backend))


# --- 4. classify -------------------------------------------------------------------------------------------------
CLASSIFY_LINES = {
    "lone surrogate": b'{"id": 2, "text": "\\ud800 x"}',
    "100,000-deep JSON": b'{"id": 2, "text": "x", "d": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "5,000-digit number": b'{"id": 2, "text": "x", "n": ' + b"1" * 5000 + b"}",
    "NaN field": b'{"id": 2, "text": "x", "n": NaN}',
    "Infinity field": b'{"id": 2, "text": "x", "n": -Infinity}',
    "NUL in text": b'{"id": 2, "text": "a\\u0000b"}',
    "5,000 brackets": b"[" * 5000,
    "invalid UTF-8": b'{"id": 2, "text": "\xff\xfe"}',
    "text is an object": b'{"id": 2, "text": {"a": 1}}',
    "1e999": b'{"id": 2, "text": "x", "n": 1e999}',
}


def classify_probe(line: bytes) -> Callable[[], str | None]:
    def run() -> str | None:
        stdin = b'{"id": 1, "text": "how much is it"}\n' + line + b'\n{"id": 3, "text": "love it"}\n'
        done = cli("classify", stdin=stdin, timeout=300)
        lines = done.stdout.splitlines()
        if len(lines) != 3:
            return f"{len(lines)} output lines for 3 (exit {done.returncode})"
        try:
            out = [json.loads(x, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c))) for x in lines]
        except ValueError as exc:
            return f"non-standard JSON written: {exc}"
        if "intent" not in out[0] or "intent" not in out[2]:
            return "a valid neighbour lost its scores"
        if "intent" not in out[1] and "error" not in out[1]:
            return "no answer for the hostile line"
        return None

    return run


for _label, _line in CLASSIFY_LINES.items():
    probe("4 classify", _label)(classify_probe(_line))


# --- 5. ingest files ---------------------------------------------------------------------------------------------
def _csv(ident: str, text: str) -> str:
    return f"youtube,comment,{ident},anna,{text},v1,2026-11-16T10:00:00Z,no,no\n"


def ingest_probe(name: str, content: bytes, stored: int, rejected: int, refused_ok: bool = False,
                 replaced_ok: bool = False, also: tuple[int, int] | None = None) -> None:
    def run() -> str | None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            path.write_bytes(content)
            done = cli("ingest", str(path), env={"SOCIALOPS_DATABASE_URL": f"sqlite:///{tmp}/db.sqlite"})
            out = (done.stdout + done.stderr).decode("utf-8", "replace")
            if refused_ok and done.returncode != 0 and "--encoding" in out:
                return None
            summary = f"stored {stored}, duplicates 0, rejected {rejected}"
            other = f"stored {also[0]}, duplicates 0, rejected {also[1]}" if also else summary
            if summary not in out and other not in out:
                return f"expected '{summary}', got: {out.strip().splitlines()[-1][:160] if out.strip() else ''}"
            # A lone surrogate becomes U+FFFD by design; an accent never may.
            if not replaced_ok and ("\ufffd" in out or _has_replacement(f"{tmp}/db.sqlite")):
                return "stored with U+FFFD replacement characters"
        return None

    probe("5 ingest", name.split(".", 1)[0].replace("_", " "))(run)


def _has_replacement(path: str) -> bool:
    import sqlite3

    with sqlite3.connect(path) as connection:
        return bool(connection.execute("SELECT count(*) FROM interactions WHERE text LIKE '%' || char(65533) || '%'")
                    .fetchone()[0])


_good = [json.dumps({**VALID, "id": str(i), "text": f"row {i}"}) for i in range(3)]
for _name, _bad in [("deep_nesting.jsonl", '{"id": "x", "d": ' + "[" * 100_000 + "]" * 100_000 + "}"),
                    ("huge_number.jsonl", '{"id": "x", "n": ' + "7" * 5000 + "}"),
                    ("nan.jsonl", '{"id": "x", "n": NaN}'),
                    ("brackets.jsonl", "[" * 5000)]:
    ingest_probe(_name, "\n".join([_good[0], _bad, _good[1], _good[2]]).encode(), stored=3, rejected=1)
ingest_probe("nul_and_surrogate.jsonl", "\n".join(
    [_good[0], json.dumps({**VALID, "id": "n", "text": "a\u0000b \ud800"}), _good[1]]).encode(), stored=3, rejected=0,
    replaced_ok=True)
ingest_probe("big_field.csv", (HEADER + _csv("U1", "a") + _csv("U2", "x" * 140_000) + _csv("U3", "b")).encode(),
             stored=2, rejected=1)
ingest_probe("big_ignored_column.csv", (HEADER.strip() + ",extra\n" + _csv("U1", "a").strip() + ","
                                        + "y" * 140_000 + "\n" + _csv("U2", "b")).encode(), stored=2, rejected=0)
ingest_probe("unterminated_quote.csv", (HEADER + _csv("U1", '"never closed') + _csv("U2", "fine")).encode(),
             stored=1, rejected=1)
# `"x"y` is read as xy by a lenient reader, refused by a strict one: either is an answer, a crash is not.
ingest_probe("stray_quote.csv", (HEADER + _csv("U1", 'say "hi" now') + _csv("U2", '"x"y') + _csv("U3", "ok")).encode(),
             stored=2, rejected=1, also=(3, 0))
ingest_probe("latin1.csv", (HEADER + _csv("U1", "très déçue")).encode("latin-1"), stored=1, rejected=0,
             refused_ok=True)
ingest_probe("cp1252.jsonl", json.dumps({**VALID, "id": "1", "text": "œuvre – “top”"}, ensure_ascii=False)
             .encode("cp1252"), stored=1, rejected=0, refused_ok=True)


# --- 6. webhooks -------------------------------------------------------------------------------------------------
def webhook_probe(name: str, body: bytes, expected: set[int], headers: dict[str, str] | None = None) -> None:
    def run() -> str | None:
        receiver = Receiver(f"sqlite:///{tempfile.mkdtemp()}/hooks.db")
        code = receiver.post(body, headers)
        if code not in expected:
            return f"answered {code}, expected {sorted(expected)}"
        if receiver.post(_delivery("after", "still fine")) != 200:
            return "a valid delivery after it was refused"
        return None

    probe("6 webhooks", name)(run)


def _many(n: int) -> bytes:
    changes = [{"field": "comments", "value": {"from": {"id": "u"}, "media": {"id": "m"}, "id": f"c{i}",
                                               "text": "hi"}} for i in range(n)]
    return json.dumps({"object": "instagram", "entry": [{"id": "1784", "time": 1764000000,
                                                          "changes": changes}]}).encode()


webhook_probe("5,000 '['", b"[" * 5000, {400})
webhook_probe("entry nested 5,000 deep", b'{"object": "instagram", "entry": ' + b"[" * 5000 + b"]" * 5000 + b"}",
              {400})
webhook_probe("5,001 changes", _many(5001), {413})
webhook_probe("4,999 changes", _many(4999), {200})
webhook_probe("NaN", b'{"object": NaN}', {400})
webhook_probe("5,000-digit number", b'{"object": "instagram", "entry": [], "n": ' + b"9" * 5000 + b"}", {400})
webhook_probe("invalid UTF-8", b'{"object": "\xff"}', {400})
webhook_probe("object is a list", b'{"object": [1], "entry": {}}', {200, 400})
webhook_probe("200 headers", _delivery("h", "x"), {431}, {f"X-H{i}": "1" for i in range(200)})
webhook_probe("a 60 KB header", _delivery("h", "x"), {431}, {"X-Big": "a" * 60_000})


# --- 7. secrets --------------------------------------------------------------------------------------------------
def secret_probe(name: str, *, env_url: str | None = None, file_text: str | None = None,
                 secret: str = SECRET) -> None:
    def run() -> str | None:
        with tempfile.TemporaryDirectory() as tmp:
            args = ["db", "current"]
            if file_text is not None:
                (Path(tmp) / "team.yaml").write_text(file_text, encoding="utf-8")
                args += ["--config", str(Path(tmp) / "team.yaml")]
            done = cli(*args, env={"SOCIALOPS_DATABASE_URL": env_url} if env_url else {}, cwd=Path(tmp))
        out = (done.stdout + done.stderr).decode("utf-8", "replace")
        if secret in out:
            return "the secret is printed"
        if done.returncode == 0:
            return "accepted"
        return None

    probe("7 secrets", name)(run)


secret_probe("env URL postgres:PASS@host/db", env_url=f"postgres:{SECRET}@host/db")
secret_probe("env URL postgresql:/u:PASS@h/db", env_url=f"postgresql:/u:{SECRET}@h/db")
secret_probe("env URL is the password alone", env_url=SECRET)
secret_probe("env URL with a bad port", env_url=f"postgresql://u:{SECRET}@h:notaport/db")
secret_probe("file URL postgres:PASS@host/db", file_text=f"database_url: 'postgres:{SECRET}@host/db'\n")
secret_probe("file URL with a password", file_text=f"database_url: 'postgresql://u:{SECRET}@h/db'\n")
secret_probe("token as token_env", file_text=f"accounts: [{{platform: instagram, id: '1', token_env: {TOKEN}}}]\n",
             secret=TOKEN)
secret_probe("token as slack bot_token_env", file_text="chat: {slack: {bot_token_env: xoxb-1234567890-abcdefABCDEF}}\n",
             secret="xoxb-1234567890-abcdefABCDEF")


# --- 8. config and playbook loaders ---------------------------------------------------------------------------------
def config_probe(name: str, content: bytes, want_line: bool = True) -> None:
    def run() -> str | None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "team.yaml"
            path.write_bytes(content)
            done = cli("db", "current", "--config", str(path), cwd=Path(tmp))
        err = done.stderr.decode("utf-8", "replace").strip()
        if done.returncode == 0:
            return "accepted"
        if "unexpected" in err or err.count("\n") > 0:
            return f"not one clear line: {err[:160]}"
        if str(path) not in err or (want_line and "line" not in err):
            return f"does not name the file and line: {err[:160]}"
        return None

    probe("8 config", name)(run)


config_probe("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00")
config_probe("nested 300 deep", ("a:\n" + "".join("  " * i + "b:\n" for i in range(1, 300))).encode())
config_probe("[ x 100,000", b"x: " + b"[" * 100_000)
config_probe("duplicate key", b"worker: {batch_size: 5}\nworker: {poll_seconds: 2}\n")
config_probe("port notaport", b"database_url: 'postgresql://u@h:notaport/db'\n")
config_probe("mysql://", b"database_url: 'mysql://u@h/db'\n")
config_probe("Latin-1 text", "team: {name: 'caf\u00e9'}\n".encode("latin-1"))


def playbook_probe(name: str, content: bytes, timeout: float = 60) -> None:
    def run() -> str | None:
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "book.yaml").write_bytes(content)
            start = time.monotonic()
            try:
                done = cli("playbooks", "validate", tmp, timeout=timeout)
            except subprocess.TimeoutExpired:
                return f"validation still running after {timeout:.0f} s"
            took = time.monotonic() - start
        err = (done.stdout + done.stderr).decode("utf-8", "replace")
        if done.returncode == 0:
            return f"accepted ({took:.1f} s)"
        if "unexpected" in err or "book.yaml" not in err:
            return f"not a located error: {err.strip()[:160]}"
        return None

    probe("8 playbook loader", name)(run)


_RULE = b"rules:\n  - id: a\n    actions: [{tag: [x]}]\n"
playbook_probe("binary", b"name: x\n" + _RULE + b"\x00\x01\x02")
playbook_probe("nested 300 deep", b"name: x\n" + _RULE + b"extra:\n"
               + b"".join(b"  " * i + b"- \n" for i in range(1, 300)))
playbook_probe("duplicate actions", b"name: x\nrules:\n  - id: a\n    actions: [hide]\n    actions: [{tag: [x]}]\n")
playbook_probe("Latin-1 comment", b"name: x\n# caf\xe9\n" + _RULE)
playbook_probe("{{ 'a' * 200000000 }}", b"name: x\ntemplates: {big: {text: {en: \"{{ 'a' * 200000000 }}\"}}}\n"
               b"rules:\n  - id: a\n    actions: [{draft_reply: {template: big}}]\n", timeout=60)
playbook_probe("{{ 'a'|center(200000000) }}", b"name: x\ntemplates: {big: {text: {en: "
               b"\"{{ 'a'|center(200000000) }}\"}}}\nrules:\n  - id: a\n"
               b"    actions: [{draft_reply: {template: big}}]\n", timeout=60)


# --- 9. SOCIALOPS_DATABASE_URL wins ---------------------------------------------------------------------------------
@probe("9 env URL wins", "socialops db upgrade with both set")
def env_wins() -> str | None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "team.yaml").write_text(f"database_url: 'sqlite:///{tmp}/file.db'\n", encoding="utf-8")
        cli("db", "upgrade", "--config", f"{tmp}/team.yaml", env={"SOCIALOPS_DATABASE_URL": f"sqlite:///{tmp}/env.db"},
            cwd=Path(tmp))
        if Path(tmp, "file.db").exists():
            return "wrote into the file's database"
        return None if Path(tmp, "env.db").exists() else "no database written"


# --- 10 and 13. payloads as the platforms document them -----------------------------------------------------------
def _stored(receiver: Receiver, ident: str, column: str) -> object:
    import sqlalchemy as sa

    with receiver.db.engine.connect() as connection:
        try:
            return connection.execute(sa.text(f"SELECT {column} FROM interactions WHERE id = :id"),
                                      {"id": ident}).scalar_one_or_none()
        except sa.exc.SQLAlchemyError:
            return None


@probe("10 comment_id", "Instagram comment named comment_id")
def comment_id() -> str | None:
    receiver = Receiver(f"sqlite:///{tempfile.mkdtemp()}/hooks.db")
    value = {"from": {"id": "232323232", "username": "test"}, "media": {"id": "123123123",
                                                                         "media_product_type": "FEED"},
             "comment_id": "17865799348089039", "parent_id": "1231231234", "text": "This is an example."}
    body = json.dumps({"object": "instagram", "entry": [{"id": "0", "time": 1764000000,
                                                          "changes": [{"field": "comments", "value": value}]}]})
    receiver.post(body.encode())
    return None if _stored(receiver, "instagram:17865799348089039", "id") else "not stored"


@probe("13 dropped fields", "Instagram media_product_type LIVE")
def media_type() -> str | None:
    receiver = Receiver(f"sqlite:///{tempfile.mkdtemp()}/hooks.db")
    value = {"from": {"id": "u"}, "media": {"id": "m", "media_product_type": "LIVE"}, "id": "c1", "text": "hi"}
    body = json.dumps({"object": "instagram", "entry": [{"id": "0", "time": 1764000000,
                                                          "changes": [{"field": "live_comments", "value": value}]}]})
    receiver.post(body.encode())
    return None if "LIVE" in str(_stored(receiver, "instagram:c1", "details")) else "media_product_type not kept"


def _messenger(message: dict) -> bytes:
    return json.dumps({"object": "page", "entry": [{"id": "104", "time": 1764000000, "messaging": [
        {"sender": {"id": "psid"}, "recipient": {"id": "104"}, "timestamp": 1764000000000,
         "message": {"mid": "mid.1", "text": "Red", **message}}]}]}).encode()


@probe("13 dropped fields", "Messenger quick_reply.payload")
def quick_reply() -> str | None:
    receiver = Receiver(f"sqlite:///{tempfile.mkdtemp()}/hooks.db")
    receiver.post(_messenger({"quick_reply": {"payload": "COLOR_RED"}}))
    return None if "COLOR_RED" in str(_stored(receiver, "facebook:mid.1", "details")) else "payload not kept"


@probe("13 dropped fields", "Messenger reply_to.is_self_reply")
def self_reply() -> str | None:
    receiver = Receiver(f"sqlite:///{tempfile.mkdtemp()}/hooks.db")
    receiver.post(_messenger({"reply_to": {"mid": "mid.0", "is_self_reply": True}}))
    return None if "is_self_reply" in str(_stored(receiver, "facebook:mid.1", "details")) else "flag not kept"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("SOCIALOPS_TEST_POSTGRES_URL"),
                        help="A PostgreSQL server URL to create probe databases on "
                             "(default: SOCIALOPS_TEST_POSTGRES_URL)")
    parser.add_argument("--only", default=None, help="Run only the categories whose name contains this")
    args = parser.parse_args()
    if args.postgres:
        _PG["base"] = args.postgres
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    failures = []
    for category, name, run in PROBES:
        if args.only and args.only not in category:
            continue
        try:
            why = run()
        except Exception as exc:  # noqa: BLE001 - a probe that blows up the harness is a failed probe
            why = f"{exc.__class__.__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"
            if os.environ.get("PROBE_DEBUG"):
                traceback.print_exc()
        if why is not None and why.startswith("skipped"):
            continue
        tally[category][0] += 1
        tally[category][1 if why is None else 2] += 1
        if why is not None:
            failures.append({"category": category, "probe": name, "why": why})
        print(f"{'PASS' if why is None else 'FAIL'}  {category:<28} {name}" + (f"  -- {why}" if why else ""),
              file=sys.stderr, flush=True)
    totals = [sum(values[i] for values in tally.values()) for i in range(3)]
    print(json.dumps({"checkout": str(ROOT), "tally": {k: dict(zip(("tried", "passed", "failed"), v, strict=True))
                                                       for k, v in sorted(tally.items())},
                      "total": dict(zip(("tried", "passed", "failed"), totals, strict=True)),
                      "failures": failures}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
