"""File ingest: good records stored once, bad lines reported by number, the rest of the file kept."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select

from moderation.ingest.importer import ingest_file
from moderation.storage.tables import EventRow, InteractionRow

GOOD = {"platform": "instagram", "kind": "comment", "id": "17890001", "author": "chloe.mrt", "text": "prix ? 😍",
        "post_id": "p1", "time": "2026-11-15T14:03:11Z", "follower": True, "vip": False}


def write_jsonl(path: Path, lines: list[object]) -> Path:
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)
                              for line in lines) + "\n", encoding="utf-8")
    return path


def test_good_file_is_stored_once_with_received_events(db, tmp_path):
    records = [GOOD, {**GOOD, "id": "17890002", "platform": "tiktok", "kind": "comment", "text": "where to buy"},
               {**GOOD, "id": "m1", "platform": "facebook", "kind": "dm", "post_id": None, "text": "hello"}]
    path = write_jsonl(tmp_path / "export.jsonl", records)

    first = ingest_file(db, path)
    second = ingest_file(db, path)

    assert (first.stored, first.duplicates, first.rejected) == (3, 0, [])
    assert (second.stored, second.duplicates, second.rejected) == (0, 3, [])
    with db.session() as session:
        rows = session.exec(select(InteractionRow).order_by(InteractionRow.id)).all()
        names = sorted(e.name for e in session.exec(select(EventRow)).all())
    assert [r.id for r in rows] == ["facebook:m1", "instagram:17890001", "tiktok:17890002"]
    assert all(r.status == "pending" for r in rows)
    assert names == ["facebook.dm_received", "instagram.comment_received", "tiktok.comment_received"]
    instagram = next(r for r in rows if r.platform == "instagram")
    assert instagram.text == "prix ? 😍" and instagram.is_follower and instagram.post_id == "p1"


def test_bad_lines_are_reported_by_number_and_the_rest_goes_in(db, tmp_path):
    lines = [
        GOOD,
        {**GOOD, "id": "2", "platform": "myspace"},
        "{broken json",
        {**GOOD, "id": "3", "text": "   "},
        {**GOOD, "id": "4", "time": "yesterday"},
        {**GOOD, "id": "5", "text": None},
        {**GOOD, "id": "6", "text": "x" * 10_001},
        {**GOOD, "id": "7", "vip": "maybe"},
        [1, 2, 3],
        {**GOOD, "id": "8", "text": "ok this one is fine"},
    ]
    report = ingest_file(db, write_jsonl(tmp_path / "bad.jsonl", lines))

    assert report.stored == 2
    rejected = dict(report.rejected)
    assert sorted(rejected) == [2, 3, 4, 5, 6, 7, 8, 9]
    assert "unknown platform 'myspace'" in rejected[2]
    assert "broken JSON" in rejected[3]
    assert rejected[4] == "missing text" and rejected[6] == "missing text"
    assert "bad time 'yesterday'" in rejected[5]
    assert "10001 characters" in rejected[7]
    assert "bad vip flag" in rejected[8]
    assert "not an object" in rejected[9]


def test_csv_export_with_duplicates_inside_the_file(db, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "platform,kind,id,author,text,post_id,time,follower,vip\n"
        "youtube,comment,Ugx1,anna,\"Love it, thanks!\",v1,2026-11-16T10:00:00+00:00,yes,no\n"
        "youtube,comment,Ugx1,anna,\"Love it, thanks!\",v1,2026-11-16T10:00:00+00:00,yes,no\n"
        "youtube,comment,Ugx2,bob,,v1,2026-11-16T10:01:00Z,no,no\n"
        "facebook,comment,1_2,carl,prix svp,p9,1763287200,false,true\n",
        encoding="utf-8",
    )
    report = ingest_file(db, path)
    assert (report.stored, report.duplicates) == (2, 1)
    assert report.rejected == [(4, "missing text")]
    with db.session() as session:
        carl = session.get(InteractionRow, "facebook:1_2")
    assert carl.is_vip and not carl.is_follower


def test_cli_ingest_prints_counts_and_line_errors(tmp_path, monkeypatch, capsys):
    from socialops.cli import main

    monkeypatch.setenv("SOCIALOPS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)
    path = write_jsonl(tmp_path / "e.jsonl", [GOOD, {**GOOD, "id": "9", "platform": "orkut"}])
    try:
        main(["ingest", str(path)])
    except SystemExit as exc:
        assert exc.code == 0
    out = capsys.readouterr()
    assert "stored 1, duplicates 0, rejected 1" in out.out
    assert f"{path}:2: rejected: unknown platform 'orkut'" in out.err
