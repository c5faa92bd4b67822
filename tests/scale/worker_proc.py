"""A `socialops worker` process for the fault tests and the benchmark: the real `run_worker`, with the keyword
classifier and, when SCALE_PLATFORM_URL is set, the HTTP fake platform (the real classifier and connectors
are what a deployment uses; the tests need cheap, countable ones).

    python -m tests.scale.worker_proc CONFIG [CLASSIFY_DELAY_SECONDS | real]
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from moderation.storage import Database
from socialops.commands.worker import run_worker
from socialops.config import load_settings
from socialops.logging import configure_logging
from tests.scale.support import KeywordClassifier, http_connectors


def main() -> int:
    configure_logging(int(os.environ.get("SCALE_VERBOSE", "0")))
    settings = load_settings(Path(sys.argv[1]))
    which = sys.argv[2] if len(sys.argv) > 2 else "0"
    classifier = None if which == "real" else KeywordClassifier(float(which))  # None: the configured one
    url = os.environ.get("SCALE_PLATFORM_URL")
    connectors = http_connectors(url) if url else None
    db = Database(settings.database_url)
    return asyncio.run(run_worker(settings, db, classifier=classifier, connectors=connectors))


if __name__ == "__main__":
    sys.exit(main())
