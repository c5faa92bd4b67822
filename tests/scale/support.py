"""Support for the scale and fault tests: a cheap deterministic classifier, a real local HTTP "platform" that
counts calls per idempotency key, and a connector that talks to it over HTTP like the real ones will."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from moderation.domain import Platform, Scores, Sentiment
from moderation.platforms.base import (
    ActionOutcome,
    Operation,
    PermanentActionError,
    PlatformAction,
    TransientActionError,
)

_INTENTS = (
    ("spam", ("followers", "crypto", "gagnez", "promo gratuit", "dm me", "free")),
    ("refund", ("refund", "rembours", "money back")),
    ("pricing", ("price", "prix", "how much", "combien", "code promo", "discount")),
    ("order_support", ("order", "commande", "tracking", "colis", "delivery", "livraison")),
    ("complaint", ("broke", "déçu", "disappointed", "worst", "nul")),
    ("collab", ("collab", "partenariat", "sponsor")),
    ("praise", ("love", "beautiful", "trop beau", "merci", "thank")),
)
_TOXIC = ("idiot", "stupid", "trash", "nul", "hate", "connard", "shut up")


class KeywordClassifier:
    """Deterministic keyword scores: what the scale tests need is cheap, repeatable classification, not
    accuracy. `delay` seconds per batch stands in for model time so a batch can be interrupted."""

    name = "keywords"
    version = "test"

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay

    def classify(self, texts: Sequence[str], *, explain: bool = False) -> list[Scores]:
        if self.delay:
            time.sleep(self.delay)
        return [self._one(text) for text in texts]

    @staticmethod
    def _one(text: str) -> Scores:
        lowered = text.lower()
        intent = next((name for name, words in _INTENTS if any(w in lowered for w in words)), "other")
        toxicity = 0.9 if any(w in lowered for w in _TOXIC) else 0.05
        sentiment = (Sentiment.negative if intent in ("complaint", "refund") or toxicity > 0.5
                     else Sentiment.positive if intent == "praise" else Sentiment.neutral)
        lang = "fr" if any(w in lowered for w in (" le ", " la ", " est ", "prix", "svp", "merci")) else "en"
        return Scores(intent=intent, intent_confidence=0.9, toxicity=toxicity, sentiment=sentiment, lang=lang)


class FakePlatformServer:
    """A platform API on 127.0.0.1: POST /act {key, operation, target}. Like a platform that honours
    idempotency keys, the effect of a key is applied once; every call is counted, so doubles are visible.
    `down()` answers 503 until `up()`; `fail_next(n)` answers 503 to the next n calls."""

    def __init__(self, *, delay: float = 0.0) -> None:
        self.calls: Counter[str] = Counter()
        self.effects: Counter[str] = Counter()
        self.refused = 0
        self.delay = delay
        self._down = False
        self._fail_next = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                if server.delay:
                    time.sleep(server.delay)
                with server._lock:
                    if server._down or server._fail_next > 0:
                        server._fail_next = max(0, server._fail_next - 1)
                        server.refused += 1
                        status, payload = 503, {"error": "unavailable"}
                    else:
                        key = body["key"]
                        server.calls[key] += 1
                        if server.calls[key] == 1:
                            server.effects[key] += 1
                        status, payload = 200, {"id": f"ref-{len(server.calls)}"}
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                if status == 503:
                    self.send_header("retry-after", "0")
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *_args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakePlatformServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def down(self) -> None:
        with self._lock:
            self._down = True

    def up(self) -> None:
        with self._lock:
            self._down = False

    def fail_next(self, count: int) -> None:
        with self._lock:
            self._fail_next = count


class HttpPlatform:
    """A connector for FakePlatformServer: same error mapping as the real connectors (5xx/429 transient)."""

    def __init__(self, platform: Platform, base_url: str, *, client: httpx.AsyncClient | None = None) -> None:
        self.platform = platform
        self.base_url = base_url
        self.client = client or httpx.AsyncClient(timeout=5.0)

    def supports(self, operation: Operation) -> bool:
        return True

    async def perform(self, action: PlatformAction) -> ActionOutcome:
        try:
            response = await self.client.post(f"{self.base_url}/act", json={
                "key": action.key, "operation": action.operation.value, "target": action.target_id})
        except httpx.TransportError as exc:
            raise TransientActionError(f"{self.platform.value}: {exc.__class__.__name__}") from None
        if response.status_code in (429, 500, 502, 503, 504):
            raise TransientActionError(f"{self.platform.value}: HTTP {response.status_code}",
                                       retry_after=float(response.headers.get("retry-after") or 0) or None)
        if response.status_code >= 400:
            raise PermanentActionError(f"{self.platform.value}: HTTP {response.status_code}")
        return ActionOutcome(external_ref=response.json()["id"])


def http_connectors(base_url: str) -> dict[Platform, HttpPlatform]:
    return {platform: HttpPlatform(platform, base_url) for platform in Platform}
