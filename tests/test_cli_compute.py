"""``cpog compute`` end to end: load the contract, compute from tiny extracts (see
tests/computed_extracts.py), compute again, and the French report of each."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from computed_extracts import write_extracts
from cpog.cli.main import app
from cpog.store.models import AuditEvent, ImportBatch, Measurement

pytestmark = pytest.mark.django_db(transaction=True)
runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_compute_then_compute_again(tmp_path: Path) -> None:
    assert run("load")[0] == 0
    folder = write_extracts(tmp_path / "extraits")
    code, output = run("compute", "--extracts", str(folder), "--definition", "cog-08-29")
    assert code == 0, output
    batch = ImportBatch.objects.get()
    # Default range: January 2023 (the contract's first year) is before the extracts' first
    # month, September 2026, which starts it; the data end on 21/10/2026, so the last complete
    # month is September 2026. September: 10 / 1 = 10 days.
    assert "Calcul de septembre 2026 à septembre 2026" in output
    assert f"empreinte {batch.file_sha256[:12]}" in output
    assert "1 valeur enregistrée, 0 inchangée" in output
    assert f"calcul n°{batch.pk}" in output
    assert "vérification reprise" not in output
    [value] = Measurement.objects.all()
    assert (value.period_key, value.value, value.source) == ("2026-09", 10, "computed")
    events = AuditEvent.objects.count()
    code, output = run("compute", "--extracts", str(folder), "--definition", "cog-08-29")
    assert code == 0, output
    assert "Aucune valeur modifiée : 1 valeur inchangée." in output
    # the same files again: their validation is taken from the data folder's cache
    assert "Extraits inchangés depuis leur dernière vérification : vérification reprise." in output
    assert (ImportBatch.objects.count(), AuditEvent.objects.count()) == (1, events)


def test_compute_by_epci_with_a_range(tmp_path: Path) -> None:
    assert run("load")[0] == 0
    folder = write_extracts(tmp_path / "extraits")
    code, output = run(
        "compute",
        "--extracts",
        str(folder),
        "--from",
        "2026-08",
        "--to",
        "2026-10",
        "--by",
        "epci",
        "--definition",
        "cog-08-29",
    )
    assert code == 0, output
    assert "Calcul d'août 2026 à octobre 2026, par epci" in output
    # Caisse: August non calculable, September 10, October 20. EPCI (8 of them): Niort's
    # September and October, Bressuire's October; the 21 others are non calculable.
    assert "22 résultats non calculables (dénominateur nul, jamais enregistré comme 0)" in output
    assert "5 valeurs enregistrées" in output
    assert Measurement.objects.filter(scope_type="territory").count() == 3


def test_refusals_are_in_french(tmp_path: Path) -> None:
    assert run("load")[0] == 0
    code, output = run("compute", "--extracts", str(tmp_path / "absent"))
    assert code == 1
    assert "Dossier d'extraits introuvable" in output
    assert "rien n'a été calculé ni enregistré" in output
    folder = write_extracts(tmp_path / "extraits")
    code, output = run("compute", "--extracts", str(folder), "--par", "region")
    assert code == 2 and "--par « region » : valeur non permise" in output
    code, output = run("compute", "--extracts", str(folder), "--param", "jours=semaines")
    assert code == 2 and "valeur « semaines » refusée pour le paramètre jours" in output
    code, output = run("compute", "--extracts", str(folder), "--param", "inconnu=1")
    assert code == 2 and "aucun des calculs demandés n'a de paramètre « inconnu »" in output
    # November 2026 is not over on 27/11/2026: the value rule refuses, nothing is written.
    code, output = run(
        "compute", "--extracts", str(folder), "--au", "2026-11", "--definition", "cog-08-29"
    )
    assert code == 1
    assert "période pas encore terminée" in output and "rien n'a été enregistré" in output
    assert Measurement.objects.count() == 0


def test_the_default_range_reads_months_too(tmp_path: Path) -> None:
    from cpog.cli.compute_commands import default_range
    from cpog.contract import default_contract_path
    from cpog.contract.loader import load_contract
    from cpog.warehouse.extracts import load_extracts

    contract = load_contract(default_contract_path())
    # Only the allocataires of November and December 2025, dated by month: from their first
    # month, November 2025 (later than January 2023), to their last one, December 2025.
    folder = write_extracts(tmp_path / "extraits", demarches=[], allocataires=True)
    first, last = default_range(contract, load_extracts(folder), date(2026, 11, 27))
    assert (first.key, last.key) == ("2025-11", "2025-12")
    # With the démarches (received from 01/09/2026, the last date 21/10/2026) too: from
    # November 2025 to September 2026, the last month complete in the data.
    folder = write_extracts(tmp_path / "les-deux", allocataires=True)
    first, last = default_range(contract, load_extracts(folder), date(2026, 11, 27))
    assert (first.key, last.key) == ("2025-11", "2026-09")
    # « Today » ends it too: on 15/09/2026, the last closed month is August 2026.
    first, last = default_range(contract, load_extracts(folder), date(2026, 9, 15))
    assert last.key == "2026-08"


def test_results_computed_elsewhere_are_stored_with_their_fingerprint(tmp_path: Path) -> None:
    """The national job's results file (here written from a DuckDB run of the same tiny
    extracts) is stored as a computation, with the fingerprint of the extracts it read."""
    from cpog.geography import geography_of
    from cpog.periods import parse_period
    from cpog.warehouse import engine
    from cpog.warehouse.definitions import definition_for
    from cpog.warehouse.extracts import load_extracts
    from cpog.warehouse.results_file import file_rows, write_results

    assert run("load")[0] == 0
    loaded = load_extracts(write_extracts(tmp_path / "extraits"))
    definition = definition_for("cog-08-29")
    spec = engine.RunSpec(
        parse_period("2026-09"),
        parse_period("2026-09"),
        engine.Dimension.CAISSE,
        "79",
        geography_of("79"),
        loaded.data_end,
    )
    done = engine.compute(loaded.connection, [definition], spec)
    rows = file_rows(
        done.results,
        {definition.name: definition},
        done.parameters,
        caisse="79",
        dimension=engine.Dimension.CAISSE,
        fingerprint=loaded.fingerprint,
        data_end=loaded.data_end,
    )
    csv_path, parquet_path = write_results(tmp_path / "resultats", rows)
    code, output = run("compute", "--resultats", str(parquet_path))
    assert code == 0, output
    batch = ImportBatch.objects.get()
    # the extracts' fingerprint, not the results file's: the values come from those extracts
    assert batch.file_sha256 == loaded.fingerprint
    [value] = Measurement.objects.all()
    # September 2026: one démarche, 10 days (tests/computed_extracts.py)
    assert (value.period_key, value.value, value.source) == ("2026-09", 10, "computed")
    code, output = run("compute", "--resultats", str(csv_path))
    assert code == 0, output
    assert "Aucune valeur modifiée : 1 valeur inchangée." in output
    code, output = run("compute", "--resultats", str(csv_path), "--par", "epci")
    assert code == 2 and "--par et --param ne s'emploient pas" in output
    code, output = run("compute")
    assert code == 2 and "soit --extraits DOSSIER" in output
