"""Issue 15 items 1 and 8: a playbook cannot hang a worker (regexes match in linear time), and hostile
playbook files (binary, deep, duplicate keys, huge templates) fail validation fast, naming file and line."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from playbooks import PlaybookError, load_library
from tests.playbooks.conftest import interaction, one_rule_library, write_playbook

ROOT = Path(__file__).resolve().parents[2]


def test_a_catastrophic_regex_cannot_hang_the_worker(tmp_path: Path) -> None:
    """`(a+)+$` against 34 a's and a "!" spun forever with Python's re (SIGTERM ignored). The match runs in a
    child process so that, on code that backtracks, the test fails at the timeout instead of hanging."""
    script = textwrap.dedent(f"""
        from pathlib import Path
        from tests.playbooks.conftest import fires, interaction, one_rule_library
        library = one_rule_library(Path({str(tmp_path)!r}), when={{"regex": ["(a+)+$"]}})
        print(fires(library, i=interaction(text="a" * 34 + "!")), fires(library, i=interaction(text="aaaa")))
    """)
    try:
        done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("matching one comment against (a+)+$ did not finish")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]


@pytest.mark.parametrize("pattern", ["(?<=price)s", "(?!spam)\\w+", "(a)\\1", "a{1000}{1000}", "(unclosed"])
def test_a_pattern_without_a_linear_time_match_is_refused_naming_file_and_line(tmp_path: Path, pattern: str) -> None:
    write_playbook(tmp_path, {"name": "x", "rules": [{"id": "a", "when": {"regex": ["ok", pattern]},
                                                      "actions": [{"tag": ["x"]}]}]})
    with pytest.raises(PlaybookError) as error:
        load_library(tmp_path)
    assert "book.yaml:7: rules.0.when.regex.1:" in str(error.value) and "does not compile under RE2" in str(error.value)


def test_regexes_still_match_case_and_accent_insensitively(tmp_path: Path) -> None:
    library = one_rule_library(tmp_path, when={"regex": [r"\bprix\b", r"combien\s+(ça|ca)\s+co[uû]te"]})
    assert "probe/probe" in library.decide(interaction(text="Le PRIX ?"), *_defaults()).matched_rules
    assert "probe/probe" in library.decide(interaction(text="Combien ÇA coûte"), *_defaults()).matched_rules
    assert "probe/probe" not in library.decide(interaction(text="les prixfixes"), *_defaults()).matched_rules


def _defaults():  # type: ignore[no-untyped-def]
    from tests.playbooks.conftest import context, scores

    return scores(), context()


@pytest.mark.parametrize(("content", "expected"), [
    (b"name: x\nrules: []\n\x00\x01\x02", "book.yaml:3: binary content"),
    (b"name: x\n# caf\xe9\nrules: []\n", "book.yaml:2: not UTF-8 text"),
    (b"name: x\nrules:\n" + b"".join(b"  " * i + b"- \n" for i in range(1, 200)), "nested deeper than 40"),
    (b"name: x\nrules: " + b"[" * 100_000, "nested deeper than 40"),
    (b"name: x\nrules:\n  - id: a\n    actions: [hide]\n    actions: [{tag: [x]}]\n",
     "book.yaml:5: key 'actions' is given twice in this mapping (first on line 4)"),
])
def test_hostile_playbook_files_are_located_errors(tmp_path: Path, content: bytes, expected: str) -> None:
    (tmp_path / "book.yaml").write_bytes(content)
    with pytest.raises(PlaybookError) as error:
        load_library(tmp_path)
    assert expected in str(error.value), str(error.value)


@pytest.mark.parametrize("source", ["{{ 'a' * 200000000 }}", "{{ 'a'|center(200000000) }}", "{{ 9 ** 99999999 }}",
                                    "{% for a in text * 5000 %}{{ text * 20 }}{% endfor %}"])
def test_a_template_that_would_render_megabytes_fails_validation(tmp_path: Path, source: str) -> None:
    write_playbook(tmp_path, {"name": "x", "templates": {"big": {"text": {"en": source}}},
                              "rules": [{"id": "a", "actions": [{"draft_reply": {"template": "big"}}]}]})
    with pytest.raises(PlaybookError) as error:
        load_library(tmp_path)
    assert "template 'big'" in str(error.value) and "RenderTooLarge" in str(error.value)


@pytest.mark.parametrize("source", [
    "{% for a in text * 3000 %}{% for b in text * 3000 %}{% endfor %}{% endfor %}",  # 2e9 silent iterations
    "{% macro m() %}{% for a in text * 3000 %}{% endfor %}{% endmacro %}{% for b in text * 3000 %}{{ m() }}"
    "{% endfor %}",
    "{% for a in [[1]] recursive %}{{ loop(a) }}{% endfor %}",
])
def test_templates_that_multiply_work_without_output_are_refused_at_parse(tmp_path: Path, source: str) -> None:
    write_playbook(tmp_path, {"name": "x", "templates": {"busy": {"text": {"en": source}}},
                              "rules": [{"id": "a", "actions": [{"draft_reply": {"template": "busy"}}]}]})
    with pytest.raises(PlaybookError) as error:
        load_library(tmp_path)
    assert "template 'busy' does not parse" in str(error.value) and "not allowed" in str(error.value)
