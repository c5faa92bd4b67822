"""CLI command modules. Each exposes `register(group: click.Group)`; socialops.cli finds them all.

Import heavy libraries (torch, slack, discord) inside the command functions, not at module level, so
`socialops --help` stays instant.
"""
