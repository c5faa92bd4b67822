"""The moderation pipeline, one folder per stage: domain (the leaf) -> ingest -> classifier -> pipeline
(worker, decision context) -> act (executors, outbox) -> measure (events, KPIs); platforms and storage serve
them, runtime holds the plumbing of long-running processes."""
