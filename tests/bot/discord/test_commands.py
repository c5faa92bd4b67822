"""Slash commands through discord.py's CommandTree: /kpi (options, autocomplete, plain words), /goals, /oncall."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.oncall import OnCall, Rotation
from bot.questions.replies import EXAMPLES
from tests.bot.discord.conftest import LEA, settle, start_bot

DEFERRED_THINKING, AUTOCOMPLETE_RESULT, CHANNEL_MESSAGE = 5, 8, 4
EPHEMERAL = 64


def _options(**values: object):
    types = {"metric": 3, "platform": 3, "window": 3}
    return lambda p: p["data"].update(options=[{"name": k, "type": types[k], "value": v} for k, v in values.items()])


async def test_the_commands_are_synced_to_the_guild_at_start(bot):
    [sync] = bot.fake.find("PUT", "/applications/")
    assert sync.path.endswith("/guilds/1200000000000000001/commands")
    commands = {c["name"]: c for c in sync.body}
    assert set(commands) == {"kpi", "goals", "oncall"}
    metric = next(o for o in commands["kpi"]["options"] if o["name"] == "metric")
    assert metric["autocomplete"] is True and metric["required"] is True
    window = next(o for o in commands["kpi"]["options"] if o["name"] == "window")
    assert [c["value"] for c in window["choices"]] == [
        "today", "yesterday", "this_week", "last_week", "last_24_hours", "last_7_days", "last_30_days", "this_month",
        "last_month"]


async def test_kpi_answers_with_the_figure_the_previous_period_and_the_goal(bot):
    bot.interact("command_kpi.json")  # metric response_rate, platform instagram, window last_7_days
    await settle()

    [question] = bot.kpis.asked
    assert (question.metric, question.platform, question.window_label) == ("response_rate", "instagram",
                                                                           "last 7 days")
    assert question.end - question.start == timedelta(days=7)
    [deferred] = bot.fake.callbacks()
    assert deferred.body["type"] == DEFERRED_THINKING
    [answer] = bot.fake.find("POST", "/webhooks/")
    embed = answer.body["embeds"][0]
    assert embed["title"] == "Response rate · instagram · last 7 days"
    assert [(f["name"], f["value"]) for f in embed["fields"]] == [
        ("Now", "82%"), ("Previous period", "75%"), ("Goal", "90% ✗")]


async def test_kpi_understands_a_question_typed_in_words(bot):
    bot.interact("command_kpi.json", edit=_options(metric="first response time instagram yesterday"))
    await settle()
    [question] = bot.kpis.asked
    assert (question.metric, question.platform, question.window_label) == ("first_response_time", "instagram",
                                                                           "yesterday")
    assert question.end - question.start == timedelta(days=1) and question.end.hour == 0
    [answer] = bot.fake.find("POST", "/webhooks/")
    assert ("Goal", "60 min ✓") in [(f["name"], f["value"]) for f in answer.body["embeds"][0]["fields"]]


async def test_kpi_not_understood_gets_a_private_help_with_examples(bot):
    bot.interact("command_kpi.json", edit=_options(metric="what is the weather"))
    await settle()
    [deferred] = bot.fake.callbacks()
    assert deferred.body["type"] == DEFERRED_THINKING
    [help_reply] = bot.fake.find("POST", "/webhooks/")
    assert help_reply.body["flags"] == EPHEMERAL
    assert EXAMPLES["en"][0] in help_reply.body["content"] and not bot.kpis.asked


async def test_metric_autocomplete_offers_the_kpi_sources_metrics(bot):
    bot.interact("autocomplete_kpi.json")  # the person has typed "resp"
    await settle()
    [result] = bot.fake.callbacks()
    assert result.body["type"] == AUTOCOMPLETE_RESULT
    assert result.body["data"]["choices"] == [{"name": "Response rate", "value": "response_rate"},
                                              {"name": "First response time", "value": "first_response_time"}]


async def test_goals_lists_the_metrics_that_have_a_goal(bot):
    bot.interact("command_kpi.json", edit=lambda p: p["data"].update(name="goals", options=[]))
    await settle()
    [answer] = bot.fake.find("POST", "/webhooks/")
    names = [f["name"] for f in answer.body["embeds"][0]["fields"]]
    assert names == ["✗ Response rate (all)", "✓ First response time (all)"]  # escalations has no goal


async def test_oncall_says_who_is_on_call_now_and_next(sqlite_db, fake_discord):
    rotation = Rotation("support", ("lea", "sam"), timezone="Europe/Paris", handoff_time=time(9),
                        start=date(2026, 11, 16))
    bot = await start_bot(sqlite_db, fake_discord, oncall=OnCall(rotations={"support": rotation}))
    bot.client.handler.clock = lambda: datetime(2026, 11, 18, 12, tzinfo=UTC)
    try:
        bot.interact("command_oncall.json")
        await settle()
        [reply] = fake_discord.callbacks()
        field = reply.body["data"]["embeds"][0]["fields"][0]
        assert field["name"] == "support"
        assert field["value"].startswith(f"now: <@{LEA}>\nnext: sam <t:")  # sam has no Discord id: the name
        assert reply.body["data"]["allowed_mentions"] == {"parse": []}
    finally:
        await bot.close()
