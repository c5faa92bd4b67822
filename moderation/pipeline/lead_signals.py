"""Lead signals for the pipeline: `detect_lead_signals(text) -> dict[str, str]` (email, phone, headcount, quantity,
budget, event_date, company). The extraction itself lives in the domain (`moderation.domain.lead_signals`) because
the lead executor in `moderation.act` needs it too and the pipeline already imports `act`."""

from __future__ import annotations

from moderation.domain.lead_signals import CONTACT_SIGNALS, VOLUME_SIGNALS, detect_lead_signals, has_lead_signal

__all__ = ["CONTACT_SIGNALS", "VOLUME_SIGNALS", "detect_lead_signals", "has_lead_signal"]
