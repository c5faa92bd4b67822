"""Runtime plumbing shared by long-running processes: timers, leader election, metrics, secret redaction."""
