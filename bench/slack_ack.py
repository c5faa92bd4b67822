"""Slack ack latency: signed approve clicks over HTTP mode against the local fake Web API.

Run from the repo root: `python bench/slack_ack.py [clicks]`. Prints the median and p95 time until Slack would
get its ack (the HTTP response), and until the card is updated (the work done after the ack).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.slack import blocks  # noqa: E402
from moderation.storage import Database  # noqa: E402
from tests.bot.slack.conftest import NOW, Clock, SlackStack  # noqa: E402
from tests.bot.slack.slack_fake import FakeSlack  # noqa: E402
from tests.bot.slack.slack_seed import seed_approval  # noqa: E402


async def main(clicks: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        fake = await FakeSlack().start()
        stack = await SlackStack(db, fake, Clock(NOW), timers=None).start()
        ids = [seed_approval(db, at=NOW) for _ in range(clicks)]
        for approval_id in ids:
            await stack.hub.approval_requested(approval_id)
        acks, done = [], []
        for n, approval_id in enumerate(ids, start=1):
            started = time.perf_counter()
            response = await stack.click(blocks.APPROVE, approval_id)
            acks.append(time.perf_counter() - started)
            assert response.status == 200
            await fake.wait_for("chat.update", n)
            done.append(time.perf_counter() - started)
        await stack.stop()
        await fake.stop()
        db.dispose()

    def ms(values: list[float], q: float) -> str:
        return f"{statistics.quantiles(values, n=100)[int(q) - 1] * 1000:.1f} ms" if q < 100 else ""

    print(f"{clicks} approve clicks: ack median {statistics.median(acks) * 1000:.1f} ms, p95 {ms(acks, 95)}; "
          f"card updated median {statistics.median(done) * 1000:.1f} ms, p95 {ms(done, 95)}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
