"""The demo week replayed with each platform's real capabilities (issue 16): dead letters (target 0), toxic items
hidden or held, review cards posted, leads lost to spam (target 0). Prints JSON.

    python -m bench.moderation_week                 # the planner sees the real capabilities (what ships)
    python -m bench.moderation_week --mismatch      # the planner believes every operation exists (the old
                                                    # behaviour: plans the platforms refuse reach the outbox)
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import tempfile
import time
from pathlib import Path

from rich.console import Console

from moderation.platforms.registry import AccountCapabilities
from socialops.demo.runner import fresh_sqlite, run_demo


def run(mismatch: bool) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        db = fresh_sqlite(Path(tmp) / "week.db")
        try:
            started = time.perf_counter()
            result = asyncio.run(run_demo(db, Console(file=io.StringIO(), width=160),
                                          planner_capabilities=AccountCapabilities.permissive() if mismatch
                                          else None))
            seconds = time.perf_counter() - started
        finally:
            db.dispose()
    assert result.figures is not None
    return {"planner": "believes every operation exists" if mismatch else "real capabilities",
            "interactions": result.processed, **result.figures.as_dict(),
            "review_verdicts": {k: v for k, v in result.verdicts.items() if k.startswith("review")},
            "seconds": round(seconds, 1), "load_average": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mismatch", action="store_true", help="let the planner ignore the real capabilities")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    print(json.dumps(run(args.mismatch), indent=2))


if __name__ == "__main__":
    main()
