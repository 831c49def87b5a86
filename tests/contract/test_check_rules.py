"""``cpog check``: every check of the three layers, one broken fixture each.

``fixtures/minimal/`` is a small valid, fictional contract. Each ``fixtures/invalid/<case>/`` is an
overlay: only the files that differ from minimal, an optional ``_delete`` file (one path per line)
and an ``expect.yaml`` naming the problem that must be reported — ``{file, line, message_contains,
rule}``, or a list of them. A test copies minimal, applies the overlay and checks that
``read_contract`` reports exactly that place, rule and French message.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from cpog.cli.main import app
from cpog.contract.issues import Issue, Layer
from cpog.contract.loader import read_contract

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINIMAL = FIXTURES / "minimal"
INVALID = FIXTURES / "invalid"
OVERLAY_CONTROL = {"expect.yaml", "_delete"}

runner = CliRunner()

# Cases where the source behaves wrongly today; strict, so the fix makes them fail loudly.
KNOWN_BUGS: dict[str, str] = {}
# Cases read_contract gets right but `cpog check` prints wrongly.
KNOWN_CLI_BUGS: dict[str, str] = {}


def cases() -> list[str]:
    return sorted(p.name for p in INVALID.iterdir() if p.is_dir())


def case_params(bugs: dict[str, str]) -> list[Any]:
    return [
        pytest.param(
            name,
            id=name,
            marks=[pytest.mark.xfail(strict=True, reason=bugs[name])] if name in bugs else [],
        )
        for name in cases()
    ]


def expectations(case: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((INVALID / case / "expect.yaml").read_text(encoding="utf-8"))
    return data if isinstance(data, list) else [data]


def build(case: str, tmp_path: Path) -> Path:
    """Copy minimal to tmp_path and apply the overlay of ``case``."""
    folder = tmp_path / "contrat"
    shutil.copytree(MINIMAL, folder)
    overlay = INVALID / case
    for source in sorted(overlay.rglob("*")):
        relative = source.relative_to(overlay)
        if source.is_dir() or relative.as_posix() in OVERLAY_CONTROL:
            continue
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    deletions = overlay / "_delete"
    if deletions.exists():
        for line in deletions.read_text(encoding="utf-8").splitlines():
            if line.strip():
                (folder / line.strip()).unlink()
    return folder


def matching(issues: list[Issue], expected: dict[str, Any]) -> list[Issue]:
    return [
        i
        for i in issues
        if i.file == expected["file"]
        and i.line == expected["line"]
        and i.rule == expected["rule"]
        and expected["message_contains"] in i.message
    ]


def flat(text: str) -> str:
    """Output with line wrapping undone, so fragments match whatever the terminal width."""
    return " ".join(text.split())


# --- the valid fixture --------------------------------------------------------------------


def test_minimal_fixture_is_valid() -> None:
    result = read_contract(MINIMAL)
    assert [str(i) for i in result.issues] == []
    assert result.ok
    contract = result.contract
    assert contract is not None
    assert contract.organisation.short_name == "Caf de démonstration"
    assert (contract.period.start, contract.period.end) == (2023, 2027)
    kinds = {m.kind.value for _, _, m in contract.measures()}
    assert {"level", "relative_change", "point_change", "threshold", "trend", "milestone"} <= kinds


def test_overlays_are_well_formed() -> None:
    assert len(cases()) >= 30
    for case in cases():
        overlay = INVALID / case
        assert (overlay / "expect.yaml").is_file(), case
        for expected in expectations(case):
            assert set(expected) == {"file", "line", "message_contains", "rule"}, case
        # A deletion names a file that minimal has.
        for deleted in (
            (overlay / "_delete").read_text(encoding="utf-8").split()
            if (overlay / "_delete").exists()
            else []
        ):
            assert (MINIMAL / deleted).is_file(), (case, deleted)


# --- one broken fixture per check ---------------------------------------------------------


@pytest.mark.parametrize("case", case_params(KNOWN_BUGS))
def test_invalid_fixture_reports_its_problem(case: str, tmp_path: Path) -> None:
    result = read_contract(build(case, tmp_path))
    assert not result.ok
    shown = "\n".join(f"{i} [{i.rule}]" for i in result.issues)
    for expected in expectations(case):
        assert matching(result.issues, expected), f"attendu {expected}, obtenu :\n{shown}"


@pytest.mark.parametrize("case", case_params(KNOWN_BUGS | KNOWN_CLI_BUGS))
def test_cli_prints_each_problem_with_its_place(case: str, tmp_path: Path) -> None:
    folder = build(case, tmp_path)
    outcome = runner.invoke(app, ["check", str(folder)])
    assert outcome.exit_code == 1, outcome.output
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
    for expected in expectations(case):
        place = expected["file"]
        if expected["line"] is not None:
            place += f", ligne {expected['line']}"
        printed = [line for line in outcome.output.splitlines() if f"{place} : " in line]
        assert any(expected["message_contains"] in line for line in printed), outcome.output


# --- the command --------------------------------------------------------------------------


def test_cli_check_broken_folder_exits_1_with_place(tmp_path: Path) -> None:
    folder = build("duplicate-challenge-number", tmp_path)
    outcome = runner.invoke(app, ["check", str(folder)])
    assert outcome.exit_code == 1
    assert (
        "challenges/02-autre.yaml, ligne 2 : défi n°1 déjà décrit dans challenges/01-exemple.yaml"
        in outcome.output
    )
    assert "1 erreur(s)" in outcome.output


def test_cli_check_minimal_folder_exits_0() -> None:
    outcome = runner.invoke(app, ["check", str(MINIMAL)])
    assert outcome.exit_code == 0, outcome.output
    assert "Contrat valide" in outcome.output
    assert "Caf de démonstration" in outcome.output


def test_cli_check_missing_folder_exits_1(tmp_path: Path) -> None:
    outcome = runner.invoke(app, ["check", str(tmp_path / "absent")])
    assert outcome.exit_code == 1
    assert "dossier de contrat introuvable" in outcome.output


# --- layers -------------------------------------------------------------------------------


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    result = read_contract(build("three-schema-errors", tmp_path))
    assert len(result.issues) == 3, [str(i) for i in result.issues]
    assert {i.file for i in result.issues} == {
        "contract.yaml",
        "diagnosis.yaml",
        "indicators/ind-a.yaml",
    }
    assert {i.layer for i in result.issues} == {Layer.SCHEMA}

    outcome = runner.invoke(app, ["check", str(result.folder)])
    assert outcome.exit_code == 1
    assert "3 erreur(s)" in outcome.output
    assert outcome.output.count("✗") == 3


def test_rules_do_not_run_when_the_schema_fails(tmp_path: Path) -> None:
    folder = build("schema-hides-rules", tmp_path)
    result = read_contract(folder)
    assert result.contract is None
    assert result.issues, "the schema error must be reported"
    assert all(i.layer != Layer.RULES for i in result.issues), [str(i) for i in result.issues]
    assert not any(i.rule == "unique-challenge-number" for i in result.issues)

    outcome = runner.invoke(app, ["check", str(folder)])
    assert outcome.exit_code == 1
    assert "Les règles entre fichiers n'ont pas été vérifiées" in flat(outcome.output)


def test_rules_are_run_when_files_are_sound(tmp_path: Path) -> None:
    """The same rule error, without the schema error, is found by layer 3."""
    result = read_contract(build("duplicate-challenge-number", tmp_path))
    assert [i.layer for i in result.issues] == [Layer.RULES]
    outcome = runner.invoke(app, ["check", str(result.folder)])
    assert "Les règles entre fichiers n'ont pas été vérifiées" not in flat(outcome.output)
    assert "règles entre fichiers" in outcome.output


def test_check_refuses_policy_thresholds_out_of_order(tmp_path: Path) -> None:
    folder = tmp_path / "contrat"
    shutil.copytree(MINIMAL, folder)
    (folder / "policy.yaml").write_text("watch: 0.99\non_track: 0.9\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(folder)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "policy.yaml : les seuils doivent être ordonnés ahead ≥ on_track ≥ watch" in flat(
        result.output
    )
    (folder / "policy.yaml").write_text("watch: 0.8\nytd_profile: annee_precedente\n")
    result = runner.invoke(app, ["check", str(folder)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
