"""Measure: the event log and everything computed from it only (KPIs, goals, ROI)."""
