"""Chat surfaces and the human side of socialops: approvals, escalations, KPI answers, digests."""
