"""Definition files: what a malformed one says (in French, naming the file)."""

from __future__ import annotations

import pytest

from cpog.warehouse.definitions import (
    DefinitionError,
    Grain,
    Measure,
    all_definitions,
    definition_for,
    parse_definition,
)

_GOOD = """-- a comment line before the header is allowed
/*
subject: indicator/cog-08-25
version: 3
label: Essai
measure: ratio
grain: year_to_date
tables: [reclamations]
parameters:
  delai_max:
    default: 10
    description: Délai.
notes:
  - Une note.
*/
SELECT p.periode, t.territoire, COUNT(*) AS numerateur, COUNT(*) AS denominateur
FROM reclamations AS r
JOIN territoires AS t ON t.commune = r.commune
JOIN periodes AS p ON r.close_le BETWEEN p.debut AND p.fin
WHERE r.close_le <= :fin_donnees AND 1 <= :delai_max
GROUP BY p.periode, t.territoire;
"""


def test_a_good_file() -> None:
    definition = parse_definition(_GOOD, "definitions/essai.sql")
    assert definition.name == "essai"
    assert (definition.subject_type, definition.subject_id) == ("indicator", "cog-08-25")
    assert (definition.version, definition.measure, definition.grain) == (
        3,
        Measure.RATIO,
        Grain.YEAR_TO_DATE,
    )
    assert definition.notes == ("Une note.",)
    assert definition.uses_data_end
    sql = definition.sql_for("postgres", {"delai_max": "7"}, data_end="2026-10-31")
    assert "1 <= 7" in sql and "CAST('2026-10-31' AS DATE)" in sql


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT 1", "essai.sql : l'en-tête /* … */ (YAML) manque en tête du fichier."),
        (
            _GOOD.replace("measure: ratio\n", ""),
            "essai.sql : clé(s) manquante(s) dans l'en-tête : measure.",
        ),
        (
            _GOOD.replace("measure: ratio", "measure: taux"),
            "essai.sql : measure « taux » inconnu (attendu : ratio, mean, sum, count).",
        ),
        (
            _GOOD.replace("grain: year_to_date", "grain: week"),
            "essai.sql : grain « week » inconnu (attendu : month, year_to_date, year).",
        ),
        (
            _GOOD.replace(":delai_max", ":delai_maxi"),
            "essai.sql : paramètre(s) sans déclaration dans l'en-tête : delai_maxi.",
        ),
        (
            _GOOD.replace("[reclamations]", "[reclamation]"),
            "essai.sql : extrait(s) inconnu(s) dans « tables » : reclamation",
        ),
        (
            _GOOD.replace("subject: indicator/cog-08-25", "subject: cog-08-25"),
            "essai.sql : sujet « cog-08-25 » invalide",
        ),
        (
            _GOOD.replace("version: 3", "version: trois"),
            "essai.sql : version « trois » invalide (nombre entier attendu).",
        ),
        (
            _GOOD.replace("    default: 10\n", ""),
            "essai.sql : le paramètre delai_max n'a pas de valeur par défaut.",
        ),
        (
            _GOOD.replace("    default: 10\n", "    default: 10\n    choices: [1, 2]\n"),
            "essai.sql : le défaut « 10 » du paramètre delai_max n'est pas parmi ses choix (1, 2).",
        ),
        (_GOOD.replace("version: 3", "version: [3"), "essai.sql : en-tête YAML illisible"),
        (
            _GOOD.replace("GROUP BY p.periode", "GROUP BY BY p.periode"),
            "essai.sql : requête SQL illisible",
        ),
    ],
)
def test_malformed_files(text: str, message: str) -> None:
    with pytest.raises(DefinitionError) as raised:
        parse_definition(text, "essai.sql")
    assert str(raised.value).startswith(message)


def test_definition_for_accepts_codes_and_lists_the_known_ones() -> None:
    assert definition_for("COG 08-33").name == "cog-08-33"
    assert definition_for("cog_08_29").name == "cog-08-29"
    with pytest.raises(DefinitionError) as raised:
        definition_for("COG 99-99")
    assert str(raised.value).startswith(
        "Aucune définition de calcul pour « COG 99-99 ». Définitions disponibles : cog-08-25,"
    )


def test_shipped_service_definitions() -> None:
    names = {d.name for d in all_definitions()}
    assert {f"cog-08-{n}" for n in (25, 27, 28, 29, 30, 31, 32, 33)} <= names
    for definition in all_definitions():
        if definition.name.startswith("cog-08-"):
            assert definition.notes, definition.name
            # every choice « à confirmer » is said so in the notes too
            if any(p.to_confirm for p in definition.parameters):
                assert any(n.startswith("À confirmer") for n in definition.notes), definition.name
            for dialect in ("duckdb", "postgres", "spark"):
                assert "SELECT" in definition.sql_for(dialect)
