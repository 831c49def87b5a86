"""`cpog import` on files built the way users produce them: every line imported, refused with
its line named, or counted as an empty template line — never dropped without a word."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter
from typer.testing import CliRunner

from cpog.cli.main import app
from cpog.store.models import AuditEvent, Measurement, Target

pytestmark = pytest.mark.django_db(transaction=True)
runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.fixture
def loaded() -> None:
    code, output = run("load")
    assert code == 0, output


def stored() -> dict[tuple[str, str], Decimal]:
    return {(m.subject_id, m.period_key): m.value for m in Measurement.objects.all()}


# What Excel writes with « CSV (séparateur : point-virgule) » on Windows: cp1252, CRLF, « ; »,
# decimal commas, no-break spaces between thousands, the cells as displayed (« 93,5 % »), and
# the template's lines left empty for the indicators not filled in.
EXCEL_CSV = (
    "identifiant;libellé;période;valeur;numérateur;dénominateur;statut;commentaire\r\n"
    "COG 08-29;Délai moyen de démarche;mars 2025;15,2;;;définitif;\r\n"
    "COG 08-29;Délai moyen de démarche;avril 2025;14,9;;;Déf.;relu\r\n"
    "IQL0;Qualité en sortie de liquidation;mars 2025;93,5 %;;;prov.;\r\n"
    "COG 10-41;Préjudices frauduleux;décembre 2025;1\u00a0234\u00a0567,5;;;;\r\n"
    "COG 01-11;Villes avec un RPE;2024;;3;4;définitive;calculée\r\n"
    "COG 01-02;Accueil formel;;;;;;\r\n"
    "COG 12-48;Coût par unité d'œuvre;;;;;;\r\n"
)


def test_an_excel_csv_export_imports_with_its_template_lines_counted(
    loaded: None, tmp_path: Path
) -> None:
    path = tmp_path / "valeurs.csv"
    path.write_bytes(EXCEL_CSV.encode("cp1252"))
    code, output = run("import", "values", str(path))
    assert code == 0, output
    assert "5 lignes valides, 5 valeurs enregistrées" in output
    assert "2 lignes du modèle laissées vides, ignorées" in output
    assert stored() == {
        ("cog-08-29", "2025-03"): Decimal("15.2"),
        ("cog-08-29", "2025-04"): Decimal("14.9"),
        ("iql0", "2025-03"): Decimal("93.5"),
        ("cog-10-41", "2025-12"): Decimal("1234567.5"),
        ("cog-01-11", "2024"): Decimal(75),
    }
    statuses = dict(Measurement.objects.values_list("subject_id", "status"))
    assert statuses["iql0"] == "provisional" and statuses["cog-01-11"] == "definitive"
    assert Measurement.objects.get(period_key="2025-04").status == "definitive"


def test_a_utf8_export_with_narrow_no_break_spaces_and_reordered_headers(
    loaded: None, tmp_path: Path
) -> None:
    path = tmp_path / "valeurs.csv"
    text = (
        "\ufeffVALEUR;Periode;Statut;IDENTIFIANT\r\n"
        "1\u202f234\u202f567,5;décembre 2025;DEFINITIF;cog-10-41\r\n"
        "93,5\u00a0%;mars 2025;;iql0\r\n"
    )
    path.write_text(text, encoding="utf-8")
    code, output = run("import", "values", str(path))
    assert code == 0, output
    assert "2 lignes valides, 2 valeurs enregistrées" in output
    assert stored() == {
        ("cog-10-41", "2025-12"): Decimal("1234567.5"),
        ("iql0", "2025-03"): Decimal("93.5"),
    }


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (
            "identifiant;période;valeur\r\niql0;mars 2025;93,5\r\n"
            'iql0;"avril 2025;93,6\r\niql0;mai 2025;93,7\r\niql0;juin 2025;93,8\r\n',
            "ligne 3 : guillemet ouvert ligne 3 et jamais fermé",
        ),
        (
            "identifiant;période;valeur\r\niql0;mars 2025;93,5\r\niql0,avril 2025,93.6\r\n",
            "ligne 3 : 1 champ au lieu de 3",
        ),
        (
            "identifiant;période;valeur\r\niql0;mars 2025;93,5\r\niql0;avril 20",
            "ligne 3 : 2 champs au lieu de 3",
        ),
    ],
    ids=["unclosed-quote", "mixed-separators", "truncated-last-line"],
)
def test_a_malformed_csv_is_refused_with_the_line_named(
    loaded: None, tmp_path: Path, content: str, named: str
) -> None:
    path = tmp_path / "valeurs.csv"
    path.write_bytes(content.encode("cp1252"))
    code, output = run("import", "values", str(path))
    assert code == 1
    assert named in output and "rien n'a été enregistré" in output
    assert Measurement.objects.count() == 0


def test_headers_doubled_missing_or_unknown_are_reported(loaded: None, tmp_path: Path) -> None:
    path = tmp_path / "valeurs.csv"
    path.write_text("identifiant;Période;periode;valeur\niql0;mars 2025;;93\n", encoding="utf-8")
    code, output = run("import", "values", str(path))
    assert code == 1 and "colonne en double : « Période » et « periode »" in output
    path.write_text("identifiant;montant\niql0;3\n", encoding="utf-8")
    code, output = run("import", "values", str(path))
    assert code == 1
    assert "colonne « période »" in output and "colonne obligatoire absente" in output
    assert "colonne inconnue" in output


def test_a_file_with_nothing_to_import_is_not_a_success(loaded: None, tmp_path: Path) -> None:
    path = tmp_path / "modele.csv"
    path.write_text("identifiant;libellé;période;valeur\nCOG 01-02;x;;\n", encoding="utf-8")
    code, output = run("import", "values", str(path))
    assert code == 1 and "Aucune valeur à importer dans modele.csv" in output
    assert "la ligne du modèle est vide" in output


def test_a_line_with_a_statut_but_no_value_is_an_error_not_a_template_line(
    loaded: None, tmp_path: Path
) -> None:
    path = tmp_path / "valeurs.csv"
    path.write_text("identifiant;période;valeur;statut\niql0;;;définitive\n", encoding="utf-8")
    code, output = run("import", "values", str(path))
    assert code == 1
    assert "ligne 2, colonne « période »" in output and "ligne 2, colonne « valeur »" in output


def test_a_quarter_for_a_monthly_indicator_is_refused(loaded: None, tmp_path: Path) -> None:
    path = tmp_path / "valeurs.csv"
    path.write_text("identifiant;période;valeur\nCOG 08-29;T1 2025;14\n", encoding="utf-8")
    code, output = run("import", "values", str(path))
    assert code == 1
    assert (
        "valeurs.csv, ligne 2, colonne « période » : « T1 2025 » — période d'un autre grain ;"
        " COG 08-29 se saisit par mois (valeurs cumulées depuis le 1er janvier) :"
        " « mars 2025 » ou « cumul à fin mars 2025 »."
    ) in output
    assert Measurement.objects.count() == 0


def test_a_rate_written_as_a_fraction_is_never_stored_as_such(loaded: None, tmp_path: Path) -> None:
    path = tmp_path / "valeurs.csv"
    path.write_text("identifiant;période;valeur\nCOG 01-11;2024;0,861\n", encoding="utf-8")
    code, output = run("import", "values", str(path))
    assert code == 1
    assert "0,861 → 86,1\u00a0% : taux écrit comme une fraction" in output
    assert "--confirmer" in output and "Rien n'a été enregistré" in output
    assert Measurement.objects.count() == 0
    code, output = run("import", "values", "--dry-run", str(path))
    assert code == 0 and "0,861 → 86,1" in output and Measurement.objects.count() == 0
    code, output = run("import", "values", str(path), "--confirmer")
    assert code == 0, output
    assert stored() == {("cog-01-11", "2024"): Decimal("86.1")}


def _percent_workbook(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    percent = book.add_format({"num_format": "0.0%"})
    sheet = book.add_worksheet("valeurs")
    sheet.write_row(0, 0, ["identifiant", "libellé", "période", "valeur", "statut"])
    sheet.write_row(1, 0, ["iql0", "Qualité en sortie de liquidation", "mars 2025"])
    sheet.write_number(1, 3, 0.935, percent)
    sheet.write(1, 4, "définitif")
    sheet.write_row(2, 0, ["COG 08-29", "Délai", "mars 2025", 13.5, ""])
    book.close()
    return path


def test_an_xlsx_percent_cell_is_shown_converted_and_imported_after_confirmation(
    loaded: None, tmp_path: Path
) -> None:
    path = _percent_workbook(tmp_path / "valeurs.xlsx")
    code, output = run("import", "values", str(path))
    assert code == 1
    assert "ligne 2, iql0, mars 2025 : 0,935 → 93,5\u00a0% : cellule au format pourcentage" in (
        output
    )
    assert Measurement.objects.count() == 0
    code, output = run("import", "values", str(path), "--confirmer")
    assert code == 0, output
    assert stored() == {
        ("iql0", "2025-03"): Decimal("93.5"),
        ("cog-08-29", "2025-03"): Decimal("13.5"),
    }
    assert Measurement.objects.get(subject_id="iql0").status == "definitive"


def test_an_unusual_value_is_confirmed_and_marked_in_the_revisions(
    loaded: None, tmp_path: Path
) -> None:
    series = tmp_path / "serie.csv"
    rows = "".join(
        f"COG 08-29;{m:02d}/2026;{19 + m / 10:.2f}\n".replace(".", ",") for m in (7, 8, 9)
    )
    series.write_text("identifiant;période;valeur\n" + rows, encoding="utf-8")
    assert run("import", "values", str(series))[0] == 0
    odd = tmp_path / "octobre.csv"
    odd.write_text("identifiant;période;valeur\nCOG 08-29;octobre 2026;9,5\n", encoding="utf-8")
    code, output = run("import", "values", str(odd))
    assert code == 1
    assert "9,5\u00a0jours après 19,9\u00a0jours en septembre 2026" in output
    assert "confirmez la valeur" in output
    code, output = run("import", "values", str(odd), "--confirmer")
    assert code == 0, output
    october = Measurement.objects.get(subject_id="cog-08-29", period_key="2026-10")
    assert october.value == Decimal("9.5") and october.confirmed_unusual
    assert not Measurement.objects.filter(period_key="2026-09").get().confirmed_unusual
    event = AuditEvent.objects.get(entity_id="indicator:cog-08-29:2026-10")
    assert event.after["confirmed_unusual"] == "valeur inhabituelle confirmée"


def test_a_value_for_a_measure_linked_to_an_indicator_is_refused(
    loaded: None, tmp_path: Path
) -> None:
    path = tmp_path / "valeurs.csv"
    path.write_text("identifiant;période;valeur\nd05-r2-delai-prestations;2025;14\n", "utf-8")
    code, output = run("import", "values", str(path))
    assert code == 1
    assert "prend les valeurs de l'indicateur COG 08-29 : saisissez la valeur sur COG 08-29" in (
        output
    )


def test_negative_targets_are_refused_unless_they_are_a_change(
    loaded: None, tmp_path: Path
) -> None:
    path = tmp_path / "cibles.csv"
    header = "identifiant;année;valeur;type de cible;provenance;comparateur;motif\n"
    path.write_text(header + "COG 08-29;2026;-3;individualisée;CPOG;≤;\n", encoding="utf-8")
    code, output = run("import", "targets", str(path))
    assert code == 1 and "cible hors des valeurs possibles pour COG 08-29 : 0 ou plus" in output
    before = Target.objects.count()
    path.write_text(header + "d04-r2-signalements-impayes;2026;-5;fixée;CPOG;;\n", encoding="utf-8")
    code, output = run("import", "targets", str(path))
    assert code == 0, output
    assert Target.objects.count() == before + 1


def test_a_stored_value_that_became_unusual_can_be_confirmed(loaded: None, tmp_path: Path) -> None:
    first = tmp_path / "premier.csv"
    first.write_text(
        "identifiant;période;valeur\nCOG 08-29;08/2026;19\nCOG 08-29;10/2026;17\n",
        encoding="utf-8",
    )
    assert run("import", "values", str(first))[0] == 0
    # September arrives later: October (17 after 30) is now far from its series
    late = tmp_path / "septembre.csv"
    late.write_text("identifiant;période;valeur\nCOG 08-29;09/2026;30\n", encoding="utf-8")
    assert run("import", "values", str(late), "--confirmer")[0] == 0
    again = tmp_path / "octobre.csv"
    again.write_text("identifiant;période;valeur\nCOG 08-29;10/2026;17\n", encoding="utf-8")
    code, output = run("import", "values", str(again))
    assert code == 1 and "confirmez la valeur" in output  # asked, not silently skipped
    code, output = run("import", "values", str(again), "--confirmer")
    assert code == 0, output
    october = Measurement.objects.filter(period_key="2026-10").order_by("-id").first()
    assert october is not None and october.confirmed_unusual
    code, output = run("import", "values", str(again))  # confirmed once: nothing more to ask
    assert code == 0, output


def test_a_confirmation_confirms_only_what_the_preview_showed(loaded: None, tmp_path: Path) -> None:
    from cpog.contract import default_contract_path
    from cpog.contract.loader import load_contract
    from cpog.store.imports import ConfirmationNeeded, import_values

    contract = load_contract(default_contract_path())
    path = tmp_path / "valeurs.csv"
    path.write_text("identifiant;période;valeur\nCOG 01-11;2024;0,861\n", encoding="utf-8")
    preview = import_values(path, contract, user="t", dry_run=True)
    key = preview.confirmation_key
    with pytest.raises(ConfirmationNeeded):
        import_values(path, contract, user="t", confirm=True, confirmed_as="0" * 64)
    assert Measurement.objects.count() == 0
    import_values(path, contract, user="t", confirm=True, confirmed_as=key)
    assert stored() == {("cog-01-11", "2024"): Decimal("86.1")}
