"""The Slack Web API client with the retry policy: 429 waits Retry-After, 5xx and dropped connections retried."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
DEFAULT_BASE_URL = "https://slack.com/api/"


class RetryAfterHandler(AsyncRetryHandler):
    """Waits exactly what Slack's Retry-After asks (slack_sdk's own handler adds up to 1 s of jitter and
    cannot be told how to sleep, which a test with a fake clock needs)."""

    def __init__(self, max_retry_count: int = 3, *, sleep: Sleep = asyncio.sleep, max_wait: float = 120.0) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.sleep = sleep
        self.max_wait = max_wait

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest,
                               response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        return response is not None and response.status_code == 429

    async def prepare_for_next_attempt_async(self, *, state: RetryState, request: HttpRequest,
                                             response: HttpResponse | None = None,
                                             error: Exception | None = None) -> None:
        headers = {key.lower(): value for key, value in (response.headers if response else {}).items()}
        raw = headers.get("retry-after", ["1"])
        try:
            wait = float(raw[0] if isinstance(raw, list) else raw)
        except ValueError:
            wait = 1.0
        wait = min(max(wait, 0.0), self.max_wait)
        logger.warning("bot.slack.rate_limited", extra={"retry_after": wait, "attempt": state.current_attempt})
        state.next_attempt_requested = True
        await self.sleep(wait)
        state.increment_current_attempt()


class ServerErrorHandler(AsyncRetryHandler):
    """Any 5xx is worth another try (slack_sdk's built-in one only retries 500 and 503)."""

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest,
                               response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        return response is not None and response.status_code >= 500


def build_web_client(token: str, *, base_url: str | None = None, sleep: Sleep = asyncio.sleep,
                     rate_limit_retries: int = 3, server_error_retries: int = 2,
                     backoff: RetryIntervalCalculator | None = None, timeout: int = 30) -> AsyncWebClient:
    interval = backoff or BackoffRetryIntervalCalculator(backoff_factor=0.5)
    return AsyncWebClient(
        token=token,
        base_url=base_url or DEFAULT_BASE_URL,
        timeout=timeout,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=interval),
            RetryAfterHandler(rate_limit_retries, sleep=sleep),
            ServerErrorHandler(max_retry_count=server_error_retries, interval_calculator=interval),
        ],
    )
