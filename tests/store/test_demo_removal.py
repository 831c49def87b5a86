"""``cpog demo --retirer``: every row the demonstration wrote goes — the caisse's values and
targets, its values by commune, the action follow-up, the demo network's caisses, the audit
events — in one transaction after a confirmation, and nothing real goes with it: a value entered,
a file imported, a pilot's progress note, an analysis, a network caisse someone entered data
for. Allowed in production, where loading the demo is refused."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Q

from cpog.audit_text import event_sentence
from cpog.cli.main import run
from cpog.contract.model import Contract
from cpog.formatting import fr_number
from cpog.periods import parse_period
from cpog.store.demo import DEMO_USER
from cpog.store.models import (
    ActionMilestone,
    ActionState,
    ActionUpdate,
    Analysis,
    AuditEvent,
    ContractVersion,
    ImportBatch,
    Measurement,
    Target,
)

AS_OF = date(2026, 11, 27)
REAL_FILE = "\ufeffidentifiant;période;valeur;statut\r\niql0;mars 2025;93,5;définitive\r\n"
OTHER_CAISSE = "caf-01-2023-2027"  # of the demo network; a real value is entered for it
GONE_CAISSE = "caf-02-2023-2027"  # of the demo network, demo only


@pytest.fixture
def demo_and_real(loaded: Contract, tmp_path: Path) -> dict[str, set[int]]:
    """The demo (caisse, communes, actions, a network of 3 caisses), then real data on top of
    it; the ids of every real row."""
    from cpog.store.actions import save_update
    from cpog.store.analyses import record_analysis
    from cpog.store.demo import load_demo, load_demo_actions
    from cpog.store.imports import import_values
    from cpog.store.network_demo import load_network_demo
    from cpog.store.values import NewValue, record_values

    load_demo(loaded, AS_OF, by_commune=True)
    load_demo_actions(loaded, AS_OF)
    load_network_demo(loaded, AS_OF, 3)
    real_file = tmp_path / "valeurs.csv"
    real_file.write_text(REAL_FILE, encoding="utf-8")
    import_values(real_file, loaded, user="controleur", today=AS_OF, confirm=True)
    record_values(
        OTHER_CAISSE,
        "01",
        [NewValue("indicator", "cog-08-25", parse_period("2025"), 91)],
        source=Measurement.Source.MANUAL,
        user="pilote-01",
    )
    state = ActionState.objects.filter(updated_by=DEMO_USER).order_by("id").first()
    assert state is not None
    save_update(
        loaded.id,
        state.action_id,
        {
            "owner": state.owner,
            "start_date": state.start_date,
            "due_date": state.due_date,
            "status": state.status,
            "progress": min(state.progress + 5, 100),
            "comment": "Point réel du comité de pilotage",
        },
        "pilote",
        AS_OF,
    )
    record_analysis(
        loaded.id,
        "indicator",
        "iql0",
        parse_period("2025-03"),
        analysis="Analyse réelle",
        user="pilote",
    )
    return _real_rows()


@pytest.fixture
def demo(loaded: Contract) -> Contract:
    """The caisse's demo values and targets only (quicker)."""
    from cpog.store.demo import load_demo

    load_demo(loaded, AS_OF)
    return loaded


def _real_rows() -> dict[str, set[int]]:
    demo_contracts = ContractVersion.objects.filter(loaded_by=DEMO_USER).values("contract_id")
    return {
        "values": set(
            Measurement.objects.exclude(source=Measurement.Source.DEMO).values_list("id", flat=True)
        ),
        "targets": set(
            Target.objects.exclude(provenance=Target.Provenance.DEMO)
            .exclude(set_by=DEMO_USER)
            .values_list("id", flat=True)
        ),
        "batches": set(ImportBatch.objects.values_list("id", flat=True)),
        "actions": set(
            ActionState.objects.exclude(updated_by=DEMO_USER).values_list("id", flat=True)
        ),
        "notes": set(ActionUpdate.objects.exclude(author=DEMO_USER).values_list("id", flat=True)),
        "analyses": set(Analysis.objects.values_list("id", flat=True)),
        "events": set(AuditEvent.objects.exclude(user=DEMO_USER).values_list("id", flat=True)),
        "contracts": set(
            ContractVersion.objects.exclude(contract_id__in=demo_contracts).values_list(
                "id", flat=True
            )
        ),
    }


def _cli(monkeypatch: pytest.MonkeyPatch, capsys: Any, *args: str, answer: str = "") -> tuple:  # type: ignore[type-arg]
    monkeypatch.setenv("CPOG_USER", "dsi:nettoyage")
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    code = run(list(args))
    captured = capsys.readouterr()
    return code, _flat(captured.out), _flat(captured.err)


def _flat(text: str) -> str:
    """The output on one line (rich wraps it), no-break spaces kept."""
    return re.sub(r"\s*\n\s*", " ", text).strip()


@pytest.mark.django_db
def test_removes_every_demo_row_and_nothing_real(
    demo_and_real: dict[str, set[int]],
    loaded: Contract,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    from cpog.web.page_cache import data_state

    state_before = data_state(loaded.id)
    real_action = ActionState.objects.exclude(updated_by=DEMO_USER).get()
    assert ActionUpdate.objects.filter(state=real_action, author=DEMO_USER).exists()

    code, out, err = _cli(monkeypatch, capsys, "demo", "--retirer", "--oui")

    assert code == 0, err
    assert out.startswith("Données de démonstration supprimées :")
    assert "valeurs" in out and "cibles" in out and "actions suivies" in out
    assert "1\u00a0caisse du réseau" in out and "lignes de l'historique" in out
    assert f"gardés (des données réelles s'y rapportent) : {OTHER_CAISSE}" in out
    # nothing marked as demo is left…
    assert not Measurement.objects.filter(source=Measurement.Source.DEMO).exists()
    assert not Target.objects.filter(provenance=Target.Provenance.DEMO).exists()
    assert not ActionUpdate.objects.filter(author=DEMO_USER).exists()
    assert not ActionState.objects.filter(updated_by=DEMO_USER).exists()
    assert not ActionMilestone.objects.filter(state=real_action).exists()  # the demo's
    assert not ContractVersion.objects.filter(contract_id=GONE_CAISSE).exists()
    assert not Target.objects.filter(contract_id=GONE_CAISSE).exists()
    assert (
        not AuditEvent.objects.filter(user=DEMO_USER)
        .exclude(Q(entity_type="contract_version") & Q(entity_id__startswith=f"{OTHER_CAISSE}:"))
        .exists()
    )
    # …and every real row is still there
    after = _real_rows()
    for kind, ids in demo_and_real.items():
        assert ids <= after[kind], kind
    assert ContractVersion.objects.filter(contract_id=OTHER_CAISSE).exists()  # a real value's
    assert Measurement.objects.get(contract_id=OTHER_CAISSE).recorded_by == "pilote-01"
    assert Measurement.objects.get(subject_id="iql0", period_key="2025-03").value == 93.5
    assert ImportBatch.objects.count() == 1
    # one audit event of the removal, by whom, with the counts; the pages see a new state
    event = AuditEvent.objects.get(entity_type="demo_data")
    assert event.user == "dsi:nettoyage" and event.action == "delete"
    assert event.before["values"] > 1000 and event.before["caisses"] == 1
    assert data_state(loaded.id) != state_before
    # the history page says it in French, with the counts
    sentence = event_sentence(event, loaded)
    assert sentence.startswith("Données de démonstration retirées : ")
    assert f"{fr_number(event.before['values'])}\u00a0valeurs" in sentence
    assert sentence.endswith("(suppression, cpog demo --retirer)"), sentence
    # a second run finds nothing to remove
    code, out, _ = _cli(monkeypatch, capsys, "demo", "--retirer", "--oui")
    assert code == 0
    assert out == "Aucune donnée de démonstration dans la base : rien à supprimer."


@pytest.mark.django_db
def test_asks_first_and_a_no_removes_nothing(
    demo: Contract, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    demo_values = Measurement.objects.filter(source=Measurement.Source.DEMO).count()
    events = AuditEvent.objects.count()
    code, out, _ = _cli(monkeypatch, capsys, "demo", "--retirer", answer="n\n")
    assert code == 1
    assert out.startswith("Supprimer ")
    assert f"{fr_number(demo_values)}\u00a0valeurs" in out
    assert "de démonstration ? [o/N]" in out
    assert out.endswith("Rien n'a été supprimé.")
    assert Measurement.objects.filter(source=Measurement.Source.DEMO).count() == demo_values
    assert AuditEvent.objects.count() == events
    code, out, _ = _cli(monkeypatch, capsys, "demo", "--retirer", answer="o\n")
    assert code == 0 and "Données de démonstration supprimées" in out
    assert not Measurement.objects.filter(source=Measurement.Source.DEMO).exists()


@pytest.mark.django_db
def test_in_production_the_demo_is_refused_but_removable(
    demo: Contract,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    from cpog.store.demo import DemoInProduction, load_demo

    settings.PRODUCTION = True
    code, _, err = _cli(monkeypatch, capsys, "demo")
    assert code == 1
    assert "ne sont jamais chargées en production (CPOG_PRODUCTION=1)" in err
    with pytest.raises(DemoInProduction):  # whatever the path to it
        load_demo(demo, AS_OF)
    code, out, _ = _cli(monkeypatch, capsys, "demo", "--retirer", "--oui")
    assert code == 0 and "Données de démonstration supprimées" in out
    assert not Measurement.objects.filter(source=Measurement.Source.DEMO).exists()


@pytest.mark.django_db
def test_a_frozen_year_keeps_its_demo_values(
    demo: Contract, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """Removing the demo would change a frozen year without a motif (decision 027): refused,
    before asking, with nothing removed; once the year is unfrozen, it goes."""
    from cpog.store import period_locks, snapshots

    kept, _ = snapshots.store(
        demo.id,
        "annual",
        "2025",
        {"empreinte": "essai-demo", "date_de_situation": "2026-03-31", "statuts": []},
        "direction",
    )
    period_locks.freeze(demo.id, 2025, kept.id, "direction")
    demo_values = Measurement.objects.filter(source=Measurement.Source.DEMO).count()
    code, out, err = _cli(monkeypatch, capsys, "demo", "--retirer", "--oui")
    assert code == 1
    assert "L'année 2025 est figée et contient" in err
    assert "cpog report unfreeze --annee 2025" in err
    assert "Données de démonstration supprimées" not in out
    assert Measurement.objects.filter(source=Measurement.Source.DEMO).count() == demo_values
    period_locks.unfreeze(demo.id, 2025, "admin", "retrait de la démonstration")
    code, out, _ = _cli(monkeypatch, capsys, "demo", "--retirer", "--oui")
    assert code == 0 and "Données de démonstration supprimées" in out
