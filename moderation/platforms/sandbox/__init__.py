"""The in-process sandbox platform: records every call, for the demo and tests (no network)."""
