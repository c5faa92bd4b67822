"""Property-based fuzzing (hypothesis) of the playbook loader: random YAML, random structures shaped like
playbooks, random mutations of the bundled library. It loads or raises PlaybookError; nothing else, and it
never writes to the folder it reads."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playbooks import Library, load_library
from playbooks.errors import PlaybookError
from playbooks.loader import DEFAULT_LIBRARY

KEYS = ["name", "description", "templates", "rules", "id", "priority", "when", "conditions", "actions", "text",
        "en", "fr", "variants", "platforms", "kinds", "keywords", "intents", "auto_reply", "hide", "escalate",
        "follow_up", "delay_minutes", "template", "toxicity_at_least", "tag", "tags", "send_dm", "notify",
        "draft_reply", "settings", "links", "unless", "stop", "level", "team", "channel"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                    st.text(max_size=40), st.sampled_from(["instagram", "comment", "dm", "{{ author }}", "{{",
                                                           "{% for %}", "spam", "urgent", "-1", "1e999"]))
structures = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children,
                                               max_size=5)),
    max_leaves=30,
)
raw_texts = st.one_of(
    st.text(max_size=300),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.sampled_from(["a: [", "!!python/object:os.system {}", "&a [*a]", "rules:\n  - id: x\n   bad: indent",
                     "? [a]\n: b", "%YAML 9.9\n---\na: 1", "a: *undefined", "---\n---\n---", "\t- tab"]),
)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _load(files: dict[str, str | bytes], *, mutated: str | None = None) -> Library | None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, content in files.items():
            path = folder / name
            path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
        before = _snapshot(folder)
        library = None
        try:
            library = load_library(folder)
        except PlaybookError as exc:
            assert str(exc)  # a message a person can act on
            if mutated is not None:
                assert mutated in str(exc) or any(name in str(exc) for name in files), str(exc)
        else:
            assert library.version
        assert _snapshot(folder) == before, "the loader never writes"
        return library


FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(raw_texts)
def test_random_text_as_a_playbook(text: str):
    _load({"fuzz.yaml": text})


@FUZZ
@given(structures)
def test_random_structures_shaped_like_playbooks(data):
    _load({"fuzz.yaml": yaml.safe_dump(data, allow_unicode=True)})


@FUZZ
@given(st.data())
def test_mutations_of_the_bundled_library(data):
    """Replace one value somewhere in a real playbook with a random one, then load the mutated library: it loads
    (and decides as a library does) or refuses with an error that names the mutated file."""
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(DEFAULT_LIBRARY.glob("*.yaml"))}
    name = data.draw(st.sampled_from(sorted(files)))
    document = yaml.safe_load(files[name])
    node, path = document, []
    # Always at least one step down, so every example really mutates the file it loads.
    while isinstance(node, dict | list) and node and (not path or data.draw(st.booleans())):
        key = data.draw(st.sampled_from(sorted(node, key=str))) if isinstance(node, dict) else \
            data.draw(st.integers(0, len(node) - 1))
        path.append(key)
        node = node[key]
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = data.draw(structures)
    files[name] = yaml.safe_dump(document, allow_unicode=True)
    library = _load(files, mutated=name)
    if library is not None:
        assert library.version != load_library(DEFAULT_LIBRARY).version or node == parent[path[-1]]


def test_the_bundled_library_still_loads_from_a_copy(tmp_path):
    shutil.copytree(DEFAULT_LIBRARY, tmp_path / "lib")
    assert load_library(tmp_path / "lib").version
