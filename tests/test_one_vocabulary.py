"""One vocabulary: the French labels of cpog's enums are written once, in cpog.vocabulary.

A dict literal elsewhere whose values are such labels is a second copy that can drift (the
contract's direction, a status, a target kind…): every module must read cpog.vocabulary."""

from __future__ import annotations

import ast
from pathlib import Path

from cpog import vocabulary

SRC = Path(vocabulary.__file__).parent

# Label tables whose words must not be copied (FIELD holds JSON names, not labels).
TABLES = {
    name: table
    for name, table in vars(vocabulary).items()
    if name.isupper() and isinstance(table, dict) and name != "FIELD"
}
LABELS = {
    label
    for table in TABLES.values()
    for label in table.values()
    if isinstance(label, str) and len(label) > 3
}


def _label_copies(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Dict):
            continue
        words = [
            v.value
            for v in node.values
            if isinstance(v, ast.Constant) and isinstance(v.value, str) and v.value in LABELS
        ]
        if len(words) >= 2:  # a table of labels, not one word that happens to match
            found.append(f"{path.name}:{node.lineno} {words}")
    return found


def test_no_module_copies_a_label_table() -> None:
    sources = [
        p for p in SRC.rglob("*.py") if p.name != "vocabulary.py" and "migrations" not in p.parts
    ]
    copies = [copy for path in sources for copy in _label_copies(path)]
    assert copies == []


def test_the_check_finds_a_copy(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('WORDS = {"up": "hausse", "down": "baisse", "n": 1}\n', encoding="utf-8")
    assert _label_copies(sample) == ["sample.py:1 ['hausse', 'baisse']"]


def test_enum_labels_read_the_vocabulary() -> None:
    from cpog.assess.types import Status, TargetSource
    from cpog.store.roles import Role

    assert [s.label_fr for s in Status] == [vocabulary.STATUS[s] for s in Status]
    assert {s.label_fr for s in TargetSource} == set(vocabulary.TARGET_SOURCE.values())
    assert {r.label_fr for r in Role} == set(vocabulary.ROLE.values())
