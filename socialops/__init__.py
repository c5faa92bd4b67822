"""socialops: the application root that wires moderation, playbooks and bot into commands and processes."""

__version__ = "0.1.0"
