"""Who is on call: weekly rotations with overrides, quiet hours, and escalation policies (levels, waits, repeats).

Everything here is pure: given the configuration and a time, it answers who is paged. People are names from
the configuration; each chat surface maps a name to its own user id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ROTATION_PREFIX = "rotation:"


@dataclass(frozen=True)
class Override:
    """Someone covers a rotation for a while (holidays, swaps). Times are aware."""

    person: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Rotation:
    """Members take weekly shifts in order, handing over at a local weekday and time (DST-safe: wall clock)."""

    name: str
    members: tuple[str, ...]
    timezone: str = "UTC"
    handoff_day: int = 0  # Monday
    handoff_time: time = time(9, 0)
    start: date = date(2024, 1, 1)  # the week whose shift goes to members[0]
    overrides: tuple[Override, ...] = ()

    def _last_handoff(self, at: datetime) -> datetime:
        tz = ZoneInfo(self.timezone)
        local = at.astimezone(tz)
        day = local.date() - timedelta(days=(local.weekday() - self.handoff_day) % 7)
        handoff = datetime.combine(day, self.handoff_time, tzinfo=tz)
        if handoff > at:
            handoff = datetime.combine(day - timedelta(days=7), self.handoff_time, tzinfo=tz)
        return handoff

    def scheduled(self, at: datetime) -> str | None:
        if not self.members:
            return None
        weeks = (self._last_handoff(at).date() - self.start).days // 7
        return self.members[weeks % len(self.members)]

    def on_call(self, at: datetime) -> str | None:
        for override in self.overrides:
            if override.start <= at < override.end:
                return override.person
        return self.scheduled(at)

    def next_change(self, at: datetime) -> datetime:
        """The first instant after `at` when the schedule may hand over (a handoff or an override edge)."""
        last = self._last_handoff(at)
        tz = ZoneInfo(self.timezone)
        candidates = [datetime.combine(last.date() + timedelta(days=7), self.handoff_time, tzinfo=tz)]
        for override in self.overrides:
            candidates += [edge for edge in (override.start, override.end) if edge > at]
        return min(candidates)

    def now_and_next(self, at: datetime) -> tuple[str | None, str | None, datetime | None]:
        """Who is on call now, who takes over next, and when."""
        current = self.on_call(at)
        moment = at
        for _ in range(len(self.members) + 2 * len(self.overrides) + 2):
            moment = self.next_change(moment)
            person = self.on_call(moment)
            if person != current:
                return current, person, moment
        return current, None, None


@dataclass(frozen=True)
class Level:
    targets: tuple[str, ...]  # person names, or "rotation:<name>" for whoever is on call there
    wait_minutes: int = 15


@dataclass(frozen=True)
class Policy:
    """Level 1 is paged first; each unacknowledged wait pages the next; the whole list runs 1 + repeats times."""

    name: str
    levels: tuple[Level, ...]
    repeats: int = 0

    @property
    def steps(self) -> int:
        return len(self.levels) * (1 + self.repeats)

    def level_at(self, step: int) -> Level | None:
        if not self.levels or step < 0 or step >= self.steps:
            return None
        return self.levels[step % len(self.levels)]


@dataclass(frozen=True)
class QuietHours:
    """Local hours when only urgent pages go out; others wait for the end. May wrap midnight (22:00-08:00)."""

    start: time
    end: time
    timezone: str = "UTC"

    def is_quiet(self, at: datetime) -> bool:
        now = at.astimezone(ZoneInfo(self.timezone)).time()
        if self.start <= self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    def ends_at(self, at: datetime) -> datetime:
        tz = ZoneInfo(self.timezone)
        local = at.astimezone(tz)
        end = datetime.combine(local.date(), self.end, tzinfo=tz)
        return end if end > at else datetime.combine(local.date() + timedelta(days=1), self.end, tzinfo=tz)


@dataclass(frozen=True)
class OnCall:
    policies: Mapping[str, Policy] = field(default_factory=dict)
    rotations: Mapping[str, Rotation] = field(default_factory=dict)
    quiet_hours: QuietHours | None = None
    urgent_levels: frozenset[str] = frozenset({"urgent"})

    def policy_for(self, team: str) -> Policy | None:
        """The team's own policy, else the "default" one, else none (the page goes to the channel only)."""
        return self.policies.get(team) or self.policies.get("default")

    def resolve(self, level: Level, at: datetime) -> tuple[str, ...]:
        people: list[str] = []
        for target in level.targets:
            if target.startswith(ROTATION_PREFIX):
                rotation = self.rotations.get(target[len(ROTATION_PREFIX):])
                person = rotation.on_call(at) if rotation else None
            else:
                person = target
            if person and person not in people:
                people.append(person)
        return tuple(people)

    def holds_back(self, urgency: str, at: datetime) -> datetime | None:
        """When a page of this urgency must wait for the end of quiet hours, that end; else None."""
        if self.quiet_hours is None or urgency in self.urgent_levels or not self.quiet_hours.is_quiet(at):
            return None
        return self.quiet_hours.ends_at(at)

    def who(self, at: datetime) -> dict[str, tuple[str | None, str | None, datetime | None]]:
        """Every rotation: on call now, next, and when the handover is (for /oncall and the digest)."""
        return {name: rotation.now_and_next(at) for name, rotation in self.rotations.items()}
