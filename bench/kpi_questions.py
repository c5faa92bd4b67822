"""KPI question understanding on the labelled set bench/data/kpi_questions.json (written apart from the parser).

Scores the interpretation (KPI, platform, campaign, start, end) of every answerable question, and whether every
question that must be refused is refused.  Run:  python -m bench.kpi_questions [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime
from pathlib import Path

from bot.questions import interpret
from moderation.measure.kpis import DEFINITIONS

DATA = Path(__file__).parent / "data" / "kpi_questions.json"


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    data = json.loads(args.data.read_text(encoding="utf-8"))
    now = datetime.fromisoformat(data["now"])
    kpis = [d.name for d in DEFINITIONS]
    answerable = exact = refusals = refused = compare_total = compare_right = 0
    by_lang: dict[str, list[int]] = {}
    misses = []
    started = time.perf_counter()
    for item in data["questions"]:
        got = interpret(item["q"], now=now, tz=data["timezone"], kpis=kpis, campaigns=data["campaigns"])
        lang = by_lang.setdefault(item["lang"], [0, 0])
        if item.get("refuse"):
            refusals += 1
            ok = not got.answerable
            refused += ok
        else:
            answerable += 1
            start, end = data["periods"][item["period"]]
            want = (item.get("kpi"), item.get("platform"), item.get("campaign"), start, end, bool(item.get("goals")))
            have = (got.kpi, got.platform, got.campaign, _iso(got.period.start if got.period else None),
                    _iso(got.period.end if got.period else None), got.goals)
            ok = got.answerable and want == have
            exact += ok
            if "compare" in item or got.compare:
                compare_total += 1
                compare_right += bool(item.get("compare")) == got.compare
        lang[0] += ok
        lang[1] += 1
        if not ok:
            misses.append((item, got))
    elapsed = time.perf_counter() - started
    print(f"questions: {len(data['questions'])} ({answerable} answerable, {refusals} to refuse)")
    print(f"interpretation exact (kpi, platform, campaign, start, end): {exact}/{answerable} "
          f"= {exact / answerable:.1%}  (target >= 95%)")
    print(f"refused when they must be: {refused}/{refusals} = {refused / refusals:.1%}  (target 100%)")
    print(f"comparison flag right: {compare_right}/{compare_total}")
    for lang, (good, total) in sorted(by_lang.items()):
        print(f"  {lang}: {good}/{total} right")
    print(f"parse time: {elapsed / len(data['questions']) * 1000:.2f} ms per question")
    if args.show_misses:
        for item, got in misses:
            period = got.period and (got.period.start.isoformat(), got.period.end.isoformat())
            print(f"- {item['q']!r}: kpi={got.kpi} platform={got.platform} campaign={got.campaign} "
                  f"period={period} goals={got.goals} problem={got.problem}:{got.detail}")


if __name__ == "__main__":
    main()
