"""Values and targets at a territory through the import files: the optional « territoire »
column (decision 020). Empty, the line is the caisse's; a code of the caisse's territories
writes at that territory's scope; an unknown code refuses the file, naming line and column."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from cpog.contract.model import Contract
from cpog.ingest.tables import ImportValidationError
from cpog.store.imports import import_targets, import_values
from cpog.store.models import AuditEvent, Measurement, Target

NIORTAIS = "200041317"

VALUES = (
    "identifiant;période;valeur;numérateur;dénominateur;statut;territoire\n"
    "COG 08-29;mars 2025;15,2;;;définitif;\n"
    f"COG 08-29;mars 2025;12;24;2;définitif;{NIORTAIS}\n"
    "COG 08-29;mars 2025;18;36;2;définitif;79191\n"
    "IQL0;mars 2025;93,5;;;prov.;DEP-79\n"
)


def _file(tmp_path: Path, text: str, name: str = "valeurs.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_values_land_at_their_territory(loaded: Contract, tmp_path: Path) -> None:
    outcome = import_values(_file(tmp_path, VALUES), loaded, user="test")
    assert len(outcome.changes) == 4
    assert [c.territory for c in outcome.changes] == ["", NIORTAIS, "79191", "dep-79"]
    found = {
        (m.scope_type, m.scope_code, m.subject_id): (m.value, m.numerator, m.denominator)
        for m in Measurement.objects.all()
    }
    assert found == {
        ("caisse", "79", "cog-08-29"): (Decimal("15.2"), None, None),
        ("territory", NIORTAIS, "cog-08-29"): (Decimal("12"), Decimal("24"), Decimal("2")),
        ("territory", "79191", "cog-08-29"): (Decimal("18"), Decimal("36"), Decimal("2")),
        ("territory", "dep-79", "iql0"): (Decimal("93.5"), None, None),
    }
    audited = AuditEvent.objects.filter(entity_type="measurement").values_list("after", flat=True)
    assert sorted(a.get("territory", "") for a in audited) == ["", NIORTAIS, "79191", "dep-79"]
    # the same file again changes nothing, at any scope
    again = import_values(_file(tmp_path, VALUES, "encore.csv"), loaded, user="test")
    assert again.changes == []


@pytest.mark.django_db
def test_an_unknown_territory_refuses_the_whole_file(loaded: Contract, tmp_path: Path) -> None:
    text = VALUES + "COG 08-29;avril 2025;14;;;définitif;99999\n"
    with pytest.raises(ImportValidationError) as raised:
        import_values(_file(tmp_path, text), loaded, user="test")
    [issue] = raised.value.issues
    assert (issue.line, issue.column, issue.value) == (6, "territoire", "99999")
    assert issue.message.startswith("Territoire inconnu : « 99999 » n'est ni une commune")
    assert not Measurement.objects.exists()


@pytest.mark.django_db
def test_the_same_period_at_two_territories_is_no_duplicate(
    loaded: Contract, tmp_path: Path
) -> None:
    text = (
        "identifiant;période;valeur;territoire\n"
        f"COG 08-29;mars 2025;12;{NIORTAIS}\n"
        "COG 08-29;mars 2025;13;79191\n"
        f"COG 08-29;mars 2025;14;{NIORTAIS}\n"
    )
    with pytest.raises(ImportValidationError) as raised:
        import_values(_file(tmp_path, text), loaded, user="test")
    [issue] = raised.value.issues
    assert issue.line == 4 and "valeur déjà donnée ligne 2" in issue.message


@pytest.mark.django_db
def test_targets_at_a_territory(loaded: Contract, tmp_path: Path) -> None:
    text = (
        "identifiant;année;valeur;type de cible;provenance;territoire\n"
        f"IQL0;2026;95;fixée;CPOG;{NIORTAIS}\n"
        "IQL0;2026;94;fixée;CPOG;ctg-inconnue\n"
    )
    with pytest.raises(ImportValidationError) as raised:
        import_targets(_file(tmp_path, text, "cibles.csv"), loaded, user="test")
    assert [(i.line, i.column) for i in raised.value.issues] == [(3, "territoire")]
    text = text.splitlines()[:2]
    outcome = import_targets(_file(tmp_path, "\n".join(text), "cibles.csv"), loaded, user="test")
    assert [c.territory for c in outcome.changes] == [NIORTAIS]
    target = Target.objects.get(scope_code=NIORTAIS)
    assert (target.scope_type, target.subject_id, target.value) == (
        "territory",
        "iql0",
        Decimal("95"),
    )
