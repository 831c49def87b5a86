"""Definition files: one SQL query per computed subject, with a YAML header.

A definition file (``definitions/<subject id>.sql``) opens with a block comment holding YAML::

    /*
    subject: indicator/cog-08-29        # indicator/<id>, measure/<id> or figure/<key figure id>
    version: 1                          # bump whenever the query or a default changes
    label: Délai moyen de démarche des prestations légales
    measure: mean                       # ratio (× 100), mean, sum, count
    grain: year_to_date                 # what is stored: month, year_to_date, year
    tables: [demarches]
    parameters:
      jours:
        default: calendaires
        choices: [calendaires, ouvres]
        to_confirm: true                # the branch's rule is not known here: « à confirmer »
        description: Jours calendaires ou jours ouvrés entre réception et traitement.
    */
    SELECT p.periode, t.territoire, SUM(...) AS numerateur, COUNT(*) AS denominateur
    FROM ...

The query is portable SQL (DuckDB dialect, portable subset): no date arithmetic (delays are
differences of day ranks from the ``jours`` table), no dialect function; it reads the extract
tables (:mod:`cpog.warehouse.schema`) and the tables the engine provides:

* ``periodes(periode, debut, fin)`` — the periods computed, at the requested grain;
* ``fins_de_mois(periode, jour, mois)`` — each period's month ends (a month has one: its
  ``fin``), with the month as text ``AAAA-MM`` (the ``mois`` of the ``allocataires`` extract);
* ``territoires(commune, territoire)`` — each commune's territory at the requested dimension;
* ``jours(jour, rang, rang_ouvre, ouvre, fin_mois)`` — the calendar: ``rang`` counts days,
  ``rang_ouvre`` counts working days (Monday to Friday, French public holidays excepted) up to
  and including ``jour``; ``fin_mois`` is the last day of ``jour``'s month.

A flow is cheapest grouped by territory and month end first, then joined to its periods with
``p.debut <= g.fin_mois AND g.fin_mois <= p.fin``: every period starts on a 1st and ends on a
month end, so a day lies in a period exactly when its month end does.

It returns ``periode, territoire, numerateur, denominateur`` (``denominateur`` NULL for sums and
counts). Parameters are written ``:name`` and filled in as literals; ``:fin_donnees`` (the last
day the extracts cover) is always available.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import sqlglot
import yaml
from sqlglot import exp

from cpog.warehouse.schema import TABLE_BY_NAME

__all__ = [
    "Definition",
    "DefinitionError",
    "Grain",
    "Measure",
    "Parameter",
    "all_definitions",
    "definition_for",
    "parse_definition",
]

ENGINE_PARAMETERS = ("fin_donnees",)


class DefinitionError(ValueError):
    """A definition file is malformed (French message naming the file)."""


class Measure(StrEnum):
    RATIO = "ratio"  # numerator / denominator × 100
    MEAN = "mean"  # numerator / denominator
    SUM = "sum"  # numerator
    COUNT = "count"  # numerator


class Grain(StrEnum):
    MONTH = "month"
    YEAR_TO_DATE = "year_to_date"
    YEAR = "year"


@dataclass(frozen=True)
class Parameter:
    name: str
    default: str | int
    description: str
    choices: tuple[str, ...] = ()
    to_confirm: bool = False


@dataclass(frozen=True)
class Definition:
    name: str  # the file's stem
    subject_type: str  # indicator, measure, figure
    subject_id: str
    version: int
    label: str
    measure: Measure
    grain: Grain
    tables: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    sql: str  # the query, without its header
    path: str
    notes: tuple[str, ...] = field(default=())

    @property
    def parameter_by_name(self) -> dict[str, Parameter]:
        return {parameter.name: parameter for parameter in self.parameters}

    def values(self, overrides: dict[str, str | int] | None = None) -> dict[str, str | int]:
        """The parameters' values: defaults, then ``overrides`` (checked against choices)."""
        chosen: dict[str, str | int] = {p.name: p.default for p in self.parameters}
        for name, value in (overrides or {}).items():
            parameter = self.parameter_by_name.get(name)
            if parameter is None:
                continue  # a run may set a parameter other definitions have
            if parameter.choices and str(value) not in parameter.choices:
                raise DefinitionError(
                    f"{self.name} : valeur « {value} » refusée pour le paramètre {name}"
                    f" (attendu : {', '.join(parameter.choices)})."
                )
            if isinstance(parameter.default, int):
                try:
                    value = int(value)
                except ValueError:
                    raise DefinitionError(
                        f"{self.name} : le paramètre {name} attend un nombre entier"
                        f" (reçu : « {value} »)."
                    ) from None
            chosen[name] = value
        return chosen

    @property
    def uses_data_end(self) -> bool:
        """Whether the query reads ``:fin_donnees``."""
        return any(
            node.name == "fin_donnees"
            for node in parse_sql(self.sql, self.path).find_all(exp.Placeholder)
        )

    def expression(
        self,
        overrides: dict[str, str | int] | None = None,
        *,
        data_end: str | exp.Expr = "2099-12-31",
    ) -> exp.Expr:
        """The query as a SQLGlot tree with every parameter filled in as a literal
        (``data_end``: an ISO date, or an expression such as a scalar subquery)."""
        values: dict[str, exp.Expr] = {
            name: exp.Literal.number(value) if isinstance(value, int) else exp.Literal.string(value)
            for name, value in self.values(overrides).items()
        }
        values["fin_donnees"] = (
            data_end
            if isinstance(data_end, exp.Expr)
            else exp.cast(exp.Literal.string(data_end), exp.DataType.Type.DATE)
        )

        def fill(node: exp.Expr) -> exp.Expr:
            if isinstance(node, exp.Placeholder):
                return values[node.name].copy()
            return node

        return parse_sql(self.sql, self.path).transform(fill)

    def sql_for(
        self,
        dialect: str = "duckdb",
        overrides: dict[str, str | int] | None = None,
        *,
        data_end: str | exp.Expr = "2099-12-31",
        pretty: bool = True,
    ) -> str:
        """The query in ``dialect`` (duckdb, postgres, spark), parameters filled in."""
        return self.expression(overrides, data_end=data_end).sql(dialect=dialect, pretty=pretty)


_HEADER = re.compile(r"\A\s*(?:--[^\n]*\n\s*)*/\*(?P<yaml>.*?)\*/(?P<sql>.*)\Z", re.DOTALL)


def parse_sql(sql: str, path: str) -> exp.Expr:
    try:
        tree: exp.Expr = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as error:
        raise DefinitionError(f"{path} : requête SQL illisible ({error}).") from None
    return tree


def parse_definition(text: str, path: str) -> Definition:
    """Read a definition file's text; every problem names the file."""
    found = _HEADER.match(text)
    if found is None:
        raise DefinitionError(f"{path} : l'en-tête /* … */ (YAML) manque en tête du fichier.")
    try:
        header: Any = yaml.safe_load(found["yaml"])
    except yaml.YAMLError as error:
        raise DefinitionError(f"{path} : en-tête YAML illisible ({error}).") from None
    if not isinstance(header, dict):
        raise DefinitionError(f"{path} : l'en-tête doit être un dictionnaire YAML.")
    missing = [key for key in _REQUIRED if key not in header]
    if missing:
        raise DefinitionError(
            f"{path} : clé(s) manquante(s) dans l'en-tête : {', '.join(missing)}."
        )
    subject = str(header["subject"])
    if subject.count("/") != 1 or not all(subject.split("/")):
        raise DefinitionError(
            f"{path} : sujet « {subject} » invalide (attendu : indicator/<id>, measure/<id>"
            " ou figure/<id>)."
        )
    subject_type, subject_id = subject.split("/")
    measure = _choice(header, "measure", Measure, path)
    grain = _choice(header, "grain", Grain, path)
    try:
        version = int(header["version"])
    except (TypeError, ValueError):
        raise DefinitionError(
            f"{path} : version « {header['version']} » invalide (nombre entier attendu)."
        ) from None
    tables = header.get("tables") or ()
    if not isinstance(tables, list) or not tables:
        raise DefinitionError(f"{path} : « tables » doit lister les extraits lus.")
    unknown_tables = [str(name) for name in tables if name not in TABLE_BY_NAME]
    if unknown_tables:
        raise DefinitionError(
            f"{path} : extrait(s) inconnu(s) dans « tables » : {', '.join(unknown_tables)}"
            f" (connus : {', '.join(TABLE_BY_NAME)})."
        )
    specs = header.get("parameters") or {}
    if not isinstance(specs, dict):
        raise DefinitionError(f"{path} : « parameters » doit être un dictionnaire YAML.")
    parameters = []
    for name, spec in specs.items():
        if not isinstance(spec, dict) or "default" not in spec:
            raise DefinitionError(f"{path} : le paramètre {name} n'a pas de valeur par défaut.")
        choices = tuple(str(choice) for choice in spec.get("choices") or ())
        default = spec["default"]
        if not isinstance(default, (str, int)) or isinstance(default, bool):
            raise DefinitionError(
                f"{path} : le paramètre {name} doit avoir pour défaut un texte ou un entier."
            )
        if choices and str(default) not in choices:
            raise DefinitionError(
                f"{path} : le défaut « {default} » du paramètre {name} n'est pas parmi ses"
                f" choix ({', '.join(choices)})."
            )
        parameters.append(
            Parameter(
                str(name),
                default,
                str(spec.get("description", "")).strip(),
                choices,
                bool(spec.get("to_confirm", False)),
            )
        )
    notes = header.get("notes") or []
    if not isinstance(notes, list):
        raise DefinitionError(f"{path} : « notes » doit être une liste de phrases.")
    definition = Definition(
        name=Path(path).stem,
        subject_type=subject_type,
        subject_id=subject_id,
        version=version,
        label=str(header["label"]),
        measure=measure,
        grain=grain,
        tables=tuple(str(name) for name in tables),
        parameters=tuple(parameters),
        sql=found["sql"].strip().rstrip(";"),
        path=path,
        notes=tuple(str(note) for note in notes),
    )
    used = {node.name for node in parse_sql(definition.sql, path).find_all(exp.Placeholder)}
    unknown = used - set(definition.parameter_by_name) - set(ENGINE_PARAMETERS)
    if unknown:
        raise DefinitionError(
            f"{path} : paramètre(s) sans déclaration dans l'en-tête : {', '.join(sorted(unknown))}."
        )
    return definition


_REQUIRED = ("subject", "version", "label", "measure", "grain", "tables")

_E = TypeVar("_E", Measure, Grain)


def _choice(header: dict[str, Any], key: str, kind: type[_E], path: str) -> _E:
    try:
        return kind(header[key])
    except ValueError:
        raise DefinitionError(
            f"{path} : {key} « {header[key]} » inconnu (attendu : {', '.join(kind)})."
        ) from None


def all_definitions() -> tuple[Definition, ...]:
    """The definitions shipped with cpog, by file name."""
    folder = resources.files("cpog.warehouse") / "definitions"
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".sql"):
            found.append(parse_definition(entry.read_text(encoding="utf-8"), entry.name))
    return tuple(found)


def definition_for(code: str) -> Definition:
    """The definition of a subject, by its id (``cog-08-29``), its code (``COG 08-29``) or the
    definition's file name."""
    wanted = _plain(code)
    for definition in all_definitions():
        if wanted in (_plain(definition.name), _plain(definition.subject_id)):
            return definition
    known = ", ".join(definition.name for definition in all_definitions())
    raise DefinitionError(
        f"Aucune définition de calcul pour « {code} ». Définitions disponibles : {known}."
    )


def _plain(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())
