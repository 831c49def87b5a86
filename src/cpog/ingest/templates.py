"""Ready-to-fill import templates (XLSX and CSV), one line per indicator and measure."""

from __future__ import annotations

import csv
from pathlib import Path

import xlsxwriter

from cpog.contract.model import Contract
from cpog.ingest.imports import PROVENANCE_WORDS, TARGET_COLUMNS, TARGET_KIND_WORDS, VALUE_COLUMNS
from cpog.ingest.value_rule import STATUS_WORDS
from cpog.vocabulary import VALUE_STATUS

HELP = {
    "values": [
        "Une ligne par valeur : identifiant, période, valeur. Une ligne du modèle laissée vide "
        "(identifiant seul) est ignorée et comptée dans le compte rendu de l'import.",
        "identifiant : code de l'indicateur (COG 08-29), identifiant (iql0) ou mesure de résultat "
        "visé (d01-r3-creches-avip). La colonne libellé n'est pas lue.",
        "période : au grain de l'indicateur — par mois (mars 2025, 2025-03, 03/2025 ; cumul à fin "
        "mars 2025 pour un indicateur cumulé depuis le 1er janvier), par trimestre (T1 2025), par "
        "année (2025, et pour toute mesure de résultat visé). Seule une période terminée.",
        "valeur : nombre à la française (1 234,5). Un taux s'écrit en pourcentage : 93,5. Un taux "
        "écrit 0,935 ou une cellule au format % est montré converti (0,935 → 93,5 %) et "
        "n'est enregistré qu'après confirmation.",
        "numérateur, dénominateur (facultatifs) : la valeur doit leur correspondre "
        "(100 × numérateur / dénominateur pour un taux) ; valeur vide, elle est calculée.",
        f"statut : {STATUS_WORDS}.",
        "territoire (facultatif) : vide pour la caisse ; sinon le code d'un territoire de la "
        "caisse : SIREN d'un EPCI (200041317), code INSEE d'une commune (79191), dep-79 pour le "
        "département, code d'une CTG (ctg-nord). La liste : cpog territories.",
        "Un import est tout ou rien : si une cellule est fausse, rien n'est enregistré et toutes "
        "les erreurs sont listées.",
    ],
    "targets": [
        "Une ligne par cible : identifiant, année, valeur, type de cible, provenance.",
        "type de cible : nationale, individualisée, fixée, trajectoire.",
        "valeur : un niveau respecte les bornes de l'unité (un taux de 0 à 100, un délai ou un "
        "nombre positif) ; la cible d'une évolution (en % ou en points) peut être négative.",
        "provenance : annexe COG, notification Cnaf, CPOG, déduite.",
        "comparateur (facultatif) : <, ≤, ≥, >.",
        "motif : obligatoire quand une cible déjà enregistrée change.",
        "territoire (facultatif) : vide pour la caisse ; sinon le code d'un territoire de la "
        "caisse : SIREN d'un EPCI (200041317), code INSEE d'une commune (79191), dep-79 pour le "
        "département, code d'une CTG (ctg-nord). La liste : cpog territories.",
    ],
}


def _lines(contract: Contract) -> list[tuple[str, str, str]]:
    lines = [(i.code or i.id, i.label, i.unit) for i in contract.indicators]
    lines += [
        (m.id, f"{m.label} (défi {c.number})", m.unit or "% réalisé")
        for c, _, m in contract.measures()
    ]
    return lines


def write_template(contract: Contract, kind: str, path: Path) -> Path:
    columns = VALUE_COLUMNS if kind == "values" else TARGET_COLUMNS
    rows = [[code, label] + [""] * (len(columns) - 2) for code, label, _ in _lines(contract)]
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(columns)
            writer.writerows(rows)
        return path
    workbook = xlsxwriter.Workbook(str(path))
    header = workbook.add_format({"bold": True, "bg_color": "#DDE4EE", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    sheet = workbook.add_worksheet("valeurs" if kind == "values" else "cibles")
    sheet.write_row(0, 0, columns, header)
    for n, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            sheet.write_string(n, col, value, text)
    widths = {"identifiant": 26, "libellé": 70, "commentaire": 40, "motif": 40}
    for col, name in enumerate(columns):
        sheet.set_column(col, col, widths.get(name, 16))
    sheet.freeze_panes(1, 2)
    if kind == "values":
        sheet.data_validation(
            1,
            6,
            len(rows),
            6,
            {"validate": "list", "source": [*VALUE_STATUS.values(), "définitif"]},
        )
    else:
        sheet.data_validation(
            1,
            4,
            len(rows),
            4,
            {"validate": "list", "source": TARGET_KIND_WORDS},
        )
        sheet.data_validation(
            1,
            5,
            len(rows),
            5,
            {
                "validate": "list",
                "source": PROVENANCE_WORDS,
            },
        )
    notes = workbook.add_worksheet("aide")
    notes.set_column(0, 0, 120)
    notes.write(
        0, 0, f"Modèle d'import cpog — {contract.short_title}, {contract.organisation.name}"
    )
    for n, line in enumerate(HELP[kind], start=2):
        notes.write(n, 0, line)
    workbook.close()
    return path
