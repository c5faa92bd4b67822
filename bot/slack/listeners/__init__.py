"""Bolt listeners, one module per kind of inbound request; each exposes `register(app, deps)`."""
