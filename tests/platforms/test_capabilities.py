"""Capabilities declared once per platform: the starter configuration and the sandbox use the real ones; a
permissive sandbox is opt-in and says so; an account's list narrows, never widens."""

from __future__ import annotations

from pathlib import Path

from moderation.domain import Platform
from moderation.platforms.base import Operation
from moderation.platforms.registry import AccountCapabilities, build_connectors, spec_for
from moderation.platforms.sandbox.outbound import SandboxPlatform, sandbox_connectors
from socialops.commands.init import STARTER
from socialops.config import load_settings, parse_settings

REAL = {
    Platform.instagram: {"reply", "hide", "unhide", "delete", "dm"},
    Platform.facebook: {"reply", "hide", "unhide", "delete", "dm"},
    Platform.tiktok: {"reply", "hide", "unhide"},
    Platform.youtube: {"reply", "hold", "release", "delete", "ban_author"},
}


def test_each_platform_declares_its_real_capabilities() -> None:
    for platform, operations in REAL.items():
        assert {op.value for op in spec_for(platform).capabilities} == operations


def test_the_sandbox_and_the_starter_configuration_use_them(tmp_path: Path) -> None:
    assert {p: {op.value for op in s.operations} for p, s in sandbox_connectors().items()} == REAL
    settings = load_settings(STARTER)
    assert {a.platform for a in settings.accounts} == set(Platform)
    capabilities = AccountCapabilities.of_accounts(settings.accounts)
    for account in settings.accounts:
        assert capabilities.of(account.platform, account.id) == spec_for(account.platform).capabilities
    connectors = build_connectors(settings.accounts)
    assert all(isinstance(c, SandboxPlatform) and not c.is_permissive for c in connectors.values())


def test_permissive_is_opt_in_and_a_list_only_narrows() -> None:
    settings = parse_settings({"accounts": [
        {"platform": "tiktok", "id": "t1", "sandbox": "permissive"},
        {"platform": "instagram", "id": "i1", "sandbox": True, "capabilities": ["reply", "hide", "hold"]},
    ]})
    capabilities = AccountCapabilities.of_accounts(settings.accounts)
    assert capabilities.of("tiktok", "t1") == frozenset(Operation)
    assert capabilities.of("instagram", "i1") == frozenset({Operation.reply, Operation.hide, Operation.unhide})
    connectors = build_connectors(settings.accounts)
    assert connectors.find(Platform.tiktok, "t1").is_permissive
