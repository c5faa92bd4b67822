"""Issue 15, `socialops ingest` against hostile files: no line aborts the file, counts are right, non-UTF-8
is never stored corrupted, a refused row is dead-lettered, and no error prints the rows' values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from moderation.ingest.files import FileEncodingError
from moderation.ingest.importer import ingest_file
from moderation.storage.tables import InboundDeadLetterRow, InteractionRow
from tests.support.hostile import POISON, install_poison_trigger

HEADER = "platform,kind,id,author,text,post_id,time,follower,vip\n"
GOOD = {"platform": "instagram", "kind": "comment", "author": "chloe", "post_id": "p1",
        "time": "2026-11-15T14:03:11Z", "follower": False, "vip": False}


def csv_row(ident: str, text: str) -> str:
    return f"youtube,comment,{ident},anna,{text},v1,2026-11-16T10:00:00Z,no,no\n"


def texts(db) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return {row.external_id: row.text for row in session.exec(select(InteractionRow)).all()}


def test_deep_nesting_and_huge_numbers_are_errors_of_their_own_line(db, tmp_path: Path) -> None:
    lines = [json.dumps({**GOOD, "id": "1", "text": "first"}),
             '{"id": "2", "deep": ' + "[" * 100_000 + "]" * 100_000 + "}",
             '{"id": "3", "n": ' + "7" * 5000 + "}",
             '{"id": "4", "n": NaN}',
             json.dumps({**GOOD, "id": "5", "text": "nul\u0000 and \ud800 inside"}),
             json.dumps({**GOOD, "id": "6", "text": "last"})]
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ingest_file(db, path)
    assert (report.stored, [line for line, _ in report.rejected]) == (3, [2, 3, 4])
    assert "nested deeper" in dict(report.rejected)[2] and "number too long" in dict(report.rejected)[3]
    assert texts(db) == {"1": "first", "5": "nul\ufffd and \ufffd inside", "6": "last"}


def test_a_csv_field_over_131072_characters_costs_only_its_row(db, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text(HEADER + csv_row("U1", "before") + csv_row("U2", "x" * 200_000) + csv_row("U3", "after"),
                    encoding="utf-8")
    report = ingest_file(db, path)
    assert report.stored == 2 and [line for line, _ in report.rejected] == [3]
    assert "200000 characters" in report.rejected[0][1]


def test_an_unterminated_quote_is_reported_at_its_line_and_the_next_rows_go_in(db, tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text(HEADER + csv_row("U1", '"never closed') + csv_row("U2", "fine") +
                    csv_row("U3", '"a quoted, multi\nline text"'), encoding="utf-8")
    report = ingest_file(db, path)
    assert (report.stored, len(report.rejected)) == (2, 1)
    assert report.rejected[0][0] == 2 and "bad CSV" in report.rejected[0][1]
    assert texts(db) == {"U2": "fine", "U3": "a quoted, multi\nline text"}


def test_blank_csv_lines_are_no_records_whatever_whitespace_they_hold(db, tmp_path: Path) -> None:
    # Found by the fuzz test: a line holding only a form feed was reported as a row "missing platform".
    path = tmp_path / "blank.csv"
    path.write_text(HEADER + csv_row("U1", "first") + "\x0c\n" + "   \n" + "\n" + csv_row("U2", "last"),
                    encoding="utf-8")
    report = ingest_file(db, path)
    assert (report.stored, report.rejected) == (2, [])
    assert texts(db) == {"U1": "first", "U2": "last"}


def test_a_latin1_file_is_refused_unless_its_encoding_is_given(db, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + csv_row("U1", "très déçue remboursez")).encode("latin-1"))
    with pytest.raises(FileEncodingError, match=r"line 2 is not UTF-8.*--encoding cp1252"):
        ingest_file(db, path)
    assert texts(db) == {}  # nothing stored with U+FFFD in place of the accents
    report = ingest_file(db, path, encoding="latin-1")
    assert report.stored == 1 and texts(db) == {"U1": "très déçue remboursez"}


def test_a_row_the_database_refuses_is_dead_lettered_and_its_batch_is_stored(db, tmp_path: Path) -> None:
    install_poison_trigger(db)
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps({**GOOD, "id": str(i), "text": POISON if i == 250 else f"row {i}"})
                              for i in range(500)) + "\n", encoding="utf-8")
    report = ingest_file(db, path)
    assert (report.stored, report.rejected) == (499, [])
    assert [line for line, _ in report.dead_lettered] == [251]
    with db.session() as session:
        [letter] = session.exec(select(InboundDeadLetterRow)).all()
    assert letter.interaction_id == "instagram:250" and letter.payload.count(POISON) >= 1


def test_cli_errors_never_print_the_rows_values(tmp_path: Path, capsys) -> None:
    """A database error's text from SQLAlchemy lists the SQL parameters: authors and texts. Not on screen."""
    from socialops.errors import one_line

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE t (id TEXT PRIMARY KEY, author TEXT NOT NULL)"))
        connection.execute(sa.text("INSERT INTO t VALUES ('1', 'x')"))
    with pytest.raises(sa.exc.IntegrityError) as error, engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO t VALUES (:id, :author)"), {"id": "1", "author": "Chloé Secret"})
    assert "Chloé Secret" in str(error.value)  # what the old output printed
    assert "Chloé Secret" not in one_line(error.value) and "UNIQUE" in one_line(error.value)
