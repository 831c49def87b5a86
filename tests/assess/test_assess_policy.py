from __future__ import annotations

from pathlib import Path

import pytest

from cpog.assess import DEFAULT_POLICY_PATH, Policy, PolicyError, load_policy
from cpog.errors import CpogError


def test_default_file_matches_dataclass_defaults() -> None:
    assert DEFAULT_POLICY_PATH.is_file()
    assert load_policy() == Policy()
    assert load_policy(None) == Policy(
        ahead=1.05,
        on_track=0.95,
        watch=0.85,
        relative_tolerance=0.05,
        maintain_tolerance=0.02,
        stale_grace_days=15,
    )


def test_partial_file_keeps_defaults(tmp_path: Path) -> None:
    path = tmp_path / "caf.yaml"
    path.write_text("watch: 0.8\nstale_grace_days: 0\n", encoding="utf-8")
    policy = load_policy(path)
    assert policy.watch == 0.8
    assert policy.stale_grace_days == 0
    assert policy.ahead == 1.05


def test_empty_file_is_the_default(tmp_path: Path) -> None:
    path = tmp_path / "vide.yaml"
    path.write_text("# rien\n", encoding="utf-8")
    assert load_policy(str(path)) == Policy()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("ahaed: 1.1\n", "clé inconnue « ahaed »"),
        ("watch: beaucoup\n", "« watch » doit être un nombre"),
        ("watch: true\n", "« watch » doit être un nombre"),
        ("on_track: -1\n", "« on_track » doit être strictement positif"),
        ("relative_tolerance: 5\n", "« relative_tolerance » est une part de la cible"),
        ("maintain_tolerance: -0.1\n", "« maintain_tolerance »"),
        ("stale_grace_days: 1.5\n", "« stale_grace_days » doit être un nombre entier"),
        ("stale_grace_days: -3\n", "« stale_grace_days »"),
        ("watch: 0.99\n", "ahead ≥ on_track ≥ watch"),
        ("- 1\n- 2\n", "clé: valeur"),
        ("ahead: [1\n", "YAML invalide"),
    ],
)
def test_bad_policy_names_the_problem(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "politique.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as error:
        load_policy(path)
    assert fragment in str(error.value)
    assert "politique.yaml" in str(error.value)
    assert isinstance(error.value, CpogError)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="illisible"):
        load_policy(tmp_path / "absent.yaml")
