"""The benchmark's baseline: every computed definition written as an analyst writes it in pandas.

Same semantics and parameter defaults as the SQL definitions (``src/cpog/warehouse/definitions``,
the common rules in docs/extracts.md): filters, a delay column, ``groupby`` by month and
territory, ``merge`` with the territories, a cumulative sum within the year for year-to-date
values. No tricks (no categorical codes, no pre-sorting, no shared intermediate results between
definitions): each definition reads its table's columns and computes on its own.

It returns the rows a definition's query returns, ``(definition, periode, territoire,
numerateur, denominateur)``; :func:`cpog.warehouse.engine.results_from_rows` turns them into
results exactly as it does for the engine's rows, so ``tests/warehouse/test_pandas_baseline.py``
compares the two result by result.

pandas reads Parquet through pyarrow or fastparquet, neither of which cpog depends on; the
baseline reads the columns it needs with DuckDB's Parquet reader into pandas DataFrames
(``.df()``), then computes in pandas only. Amounts come as floats and are rounded to the cent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from cpog.periods import Period
from cpog.warehouse.calendar import french_holidays
from cpog.warehouse.engine import Dimension, RunSpec

__all__ = [
    "COLUMNS",
    "DEFAULTS",
    "GRAINS",
    "IMPLEMENTED",
    "compute_all",
    "compute_definition",
    "read_tables",
]

Tables = dict[str, pd.DataFrame]
Row = tuple[str, str, str, object, object]  # definition, periode, territoire, num, den

# The columns each definition reads, by table (what the baseline loads).
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "cog-08-25": {"reclamations": ("commune", "recue_le", "close_le")},
    "cog-08-27": {"courriels": ("commune", "recu_le", "repondu_le", "nature")},
    "cog-08-28": {"demarches": ("commune", "recue_le", "canal", "teleservice_disponible")},
    "cog-08-29": {"demarches": ("commune", "recue_le", "traitee_le", "famille")},
    "cog-08-30": {"demarches": ("commune", "recue_le", "traitee_le", "famille", "prestation")},
    "cog-08-31": {
        "demarches": ("commune", "recue_le", "traitee_le", "famille", "prestation", "nature")
    },
    "cog-08-32": {"pieces": ("commune", "recue_le", "traitee_le", "famille", "type_piece")},
    "cog-08-33": {"pieces": ("commune", "recue_le", "traitee_le")},
    "cog-10-41": {"indus": ("commune", "frauduleux", "fraude_qualifiee_le", "prejudice")},
    "cog-10-42": {
        "indus": ("id_indu", "commune", "constate_le", "montant", "frauduleux", "prestation"),
        "recouvrements": ("id_indu", "recouvre_le", "montant", "mode"),
    },
    "cog-10-43": {
        "indus": ("id_indu", "commune", "constate_le", "montant", "frauduleux", "prestation"),
        "recouvrements": ("id_indu", "recouvre_le", "montant", "mode"),
    },
    "datamining-metier": {"controles": ("commune", "realise_le", "cible_datamining")},
    "kf-allocataires": {"allocataires": ("mois", "commune")},
    "kf-part-monoparents": {"allocataires": ("mois", "commune", "situation_familiale")},
    "kf-allocataires-bas-revenus": {"allocataires": ("mois", "commune", "bas_revenus")},
    "kf-beneficiaires-aah": {"allocataires": ("mois", "commune", "aah")},
    "kf-naissances": {"allocataires": ("mois", "commune", "naissance")},
}

GRAINS: dict[str, str] = {
    **dict.fromkeys(
        [
            "cog-08-25",
            "cog-08-27",
            "cog-08-28",
            "cog-08-29",
            "cog-08-30",
            "cog-08-31",
            "cog-08-32",
            "cog-10-41",
            "datamining-metier",
        ],
        "year_to_date",
    ),
    "cog-08-33": "month",
    **dict.fromkeys(
        [
            "cog-10-42",
            "cog-10-43",
            "kf-allocataires",
            "kf-part-monoparents",
            "kf-allocataires-bas-revenus",
            "kf-beneficiaires-aah",
            "kf-naissances",
        ],
        "year",
    ),
}

# The parameters' defaults, as the definition files declare them.
DEFAULTS: dict[str, dict[str, str | int]] = {
    "cog-08-25": {"jours": "calendaires", "delai_max": 10},
    "cog-08-27": {"jours": "calendaires", "delai_max": 2},
    "cog-08-28": {"portail_partenaire": "exclu"},
    "cog-08-29": {"jours": "calendaires", "perimetre": "hors_minima"},
    "cog-08-30": {"jours": "calendaires", "prime_activite": "incluse"},
    "cog-08-31": {"jours": "calendaires", "prime_activite": "incluse"},
    "cog-08-32": {"jours": "calendaires"},
    "cog-08-33": {"seuil": 40, "unite": "pieces", "valeur_annuelle": "decembre"},
    "cog-10-41": {},
    "cog-10-42": {"horizon_jours": 365, "retenues": "incluses", "methode": "cohorte"},
    "cog-10-43": {"horizon_jours": 365, "retenues": "incluses", "methode": "cohorte"},
    "datamining-metier": {"objectif": 250, "plafond": "non"},
    "kf-allocataires": {"valeur_annuelle": "decembre"},
    "kf-part-monoparents": {"valeur_annuelle": "decembre"},
    "kf-allocataires-bas-revenus": {"valeur_annuelle": "decembre"},
    "kf-beneficiaires-aah": {"valeur_annuelle": "decembre"},
    "kf-naissances": {},
}


@dataclass(frozen=True)
class Context:
    spec: RunSpec
    parameters: dict[str, str | int]

    def __getitem__(self, name: str) -> str | int:
        return self.parameters[name]


# --- reading ---------------------------------------------------------------------------------


def read_tables(folder: Path, definitions: list[str] | None = None) -> Tables:
    """The columns the definitions read, one DataFrame per table (Parquet read by DuckDB)."""
    wanted: dict[str, set[str]] = {}
    for name in definitions or list(COLUMNS):
        for table, columns in COLUMNS[name].items():
            wanted.setdefault(table, set()).update(columns)
    tables: Tables = {}
    connection = duckdb.connect()
    for table, columns in wanted.items():
        path = folder / f"{table}.parquet"
        if not path.exists():
            continue
        selected = ", ".join(sorted(columns))
        tables[table] = connection.execute(f"SELECT {selected} FROM read_parquet('{path}')").df()
    connection.close()
    return tables


# --- common steps ----------------------------------------------------------------------------


def territories(spec: RunSpec, communes: pd.Series) -> pd.DataFrame:
    """Each commune's territory (``commune``, ``territoire``), as the engine's ``territoires``."""
    known = spec.geography.commune_by_code
    if spec.dimension is Dimension.CAISSE:
        every = sorted(set(known) | set(communes.dropna().unique()))
        return pd.DataFrame({"commune": every, "territoire": spec.caisse})
    if spec.dimension is Dimension.EPCI:
        return pd.DataFrame(
            {"commune": list(known), "territoire": [c.epci for c in known.values()]}
        )
    return pd.DataFrame({"commune": list(known), "territoire": list(known)})


def with_territory(frame: pd.DataFrame, spec: RunSpec) -> pd.DataFrame:
    return frame.merge(territories(spec, frame["commune"]), on="commune", how="inner")


def months(spec: RunSpec) -> list[str]:
    out = []
    year, month = spec.first.year, spec.first.index
    while (year, month) <= (spec.last.year, spec.last.index):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def years(spec: RunSpec) -> list[int]:
    """The years whose December is within the run (a year is computed only then)."""
    return [int(m[:4]) for m in months(spec) if m.endswith("-12")]


def month_end(key: str) -> pd.Timestamp:
    period = Period.month_of(int(key[:4]), int(key[5:]))
    return pd.Timestamp(period.end)


_HOLIDAYS = np.array(
    sorted(day for year in range(1990, 2061) for day in french_holidays(year)),
    dtype="datetime64[D]",
)


def delay(start: pd.Series, end: pd.Series, jours: str | int) -> pd.Series:
    """Days from ``start`` to ``end``: calendar days, or the working days in (start, end]."""
    if jours == "ouvres":
        one = np.timedelta64(1, "D")
        counted = np.busday_count(
            start.to_numpy().astype("datetime64[D]") + one,
            end.to_numpy().astype("datetime64[D]") + one,
            holidays=_HOLIDAYS,
        )
        return pd.Series(counted, index=start.index)
    return (end - start).dt.days


def year_to_date(
    frame: pd.DataFrame, date_column: str, spec: RunSpec, numerator: str, denominator: str | None
) -> pd.DataFrame:
    """Monthly totals by territory, cumulated from January, for the run's months."""
    if frame.empty:
        return _empty()
    frame = frame.assign(mois=frame[date_column].dt.strftime("%Y-%m"))
    columns = [numerator] if denominator is None else [numerator, denominator]
    monthly = frame.groupby(["territoire", "mois"])[columns].sum()
    every_month = [
        f"{y:04d}-{m:02d}" for y in range(spec.first.year, spec.last.year + 1) for m in range(1, 13)
    ]
    wide = monthly.unstack("territoire").reindex(every_month).fillna(0)
    wide.index.name = "mois"
    cumulated = wide.groupby(lambda key: key[:4]).cumsum()
    long = cumulated.stack("territoire", future_stack=True).reset_index()
    long = long[long["mois"].isin(months(spec))]
    out = pd.DataFrame(
        {
            "periode": long["mois"],
            "territoire": long["territoire"],
            "numerateur": long[numerator],
            "denominateur": long[denominator] if denominator is not None else None,
        }
    )
    return out


def in_range(frame: pd.DataFrame, column: str, spec: RunSpec) -> pd.DataFrame:
    """Rows whose ``column`` falls between 1 January of the first year and the last month's end
    (what a year-to-date value over the run can count)."""
    start = pd.Timestamp(date(spec.first.year, 1, 1))
    end = pd.Timestamp(spec.last.end)
    return frame[(frame[column] >= start) & (frame[column] <= end)]


# --- the definitions -------------------------------------------------------------------------


def _delay_ratio(frame: pd.DataFrame, start: str, end: str, ctx: Context) -> pd.DataFrame:
    done = with_territory(frame[frame[end].notna()], ctx.spec)
    done = in_range(done, end, ctx.spec)
    done = done.assign(
        dans_le_delai=(delay(done[start], done[end], ctx["jours"]) <= int(ctx["delai_max"])).astype(
            "int64"
        ),
        total=1,
    )
    return year_to_date(done, end, ctx.spec, "dans_le_delai", "total")


def cog_08_25(tables: Tables, ctx: Context) -> pd.DataFrame:
    return _delay_ratio(tables["reclamations"], "recue_le", "close_le", ctx)


def cog_08_27(tables: Tables, ctx: Context) -> pd.DataFrame:
    courriels = tables["courriels"]
    courriels = courriels[courriels["nature"] == "information_generale"]
    return _delay_ratio(courriels, "recu_le", "repondu_le", ctx)


def cog_08_28(tables: Tables, ctx: Context) -> pd.DataFrame:
    demarches = tables["demarches"]
    eligible = demarches[demarches["teleservice_disponible"].fillna(False).astype(bool)]
    eligible = in_range(with_territory(eligible, ctx.spec), "recue_le", ctx.spec)
    channels = ["teleservice"] + (
        ["portail_partenaire"] if ctx["portail_partenaire"] == "inclus" else []
    )
    eligible = eligible.assign(en_ligne=eligible["canal"].isin(channels).astype("int64"), total=1)
    return year_to_date(eligible, "recue_le", ctx.spec, "en_ligne", "total")


def _mean_delay(frame: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    done = with_territory(frame[frame["traitee_le"].notna()], ctx.spec)
    done = in_range(done, "traitee_le", ctx.spec)
    done = done.assign(
        delai=delay(done["recue_le"], done["traitee_le"], ctx["jours"]).astype("int64"), total=1
    )
    return year_to_date(done, "traitee_le", ctx.spec, "delai", "total")


def cog_08_29(tables: Tables, ctx: Context) -> pd.DataFrame:
    demarches = tables["demarches"]
    if ctx["perimetre"] == "hors_minima":
        demarches = demarches[demarches["famille"].isin(["prestations_legales", "aide_logement"])]
    return _mean_delay(demarches, ctx)


def _minima(demarches: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    minima = demarches[demarches["famille"] == "minima_sociaux"]
    if ctx["prime_activite"] == "exclue":
        minima = minima[minima["prestation"] != "PPA"]
    return minima


def cog_08_30(tables: Tables, ctx: Context) -> pd.DataFrame:
    return _mean_delay(_minima(tables["demarches"], ctx), ctx)


def cog_08_31(tables: Tables, ctx: Context) -> pd.DataFrame:
    minima = _minima(tables["demarches"], ctx)
    return _mean_delay(minima[minima["nature"] == "demande"], ctx)


def cog_08_32(tables: Tables, ctx: Context) -> pd.DataFrame:
    pieces = tables["pieces"]
    pieces = pieces[(pieces["famille"] == "aide_logement") & (pieces["type_piece"] == "demande")]
    return _mean_delay(pieces, ctx)


def cog_08_33(tables: Tables, ctx: Context) -> pd.DataFrame:
    items = tables["pieces" if ctx["unite"] == "pieces" else "demarches"]
    items = with_territory(items, ctx.spec)
    parts = []
    for key in months(ctx.spec):
        end = month_end(key)
        stock = items[
            (items["recue_le"] <= end) & (items["traitee_le"].isna() | (items["traitee_le"] > end))
        ]
        stock = stock.assign(
            ancien=((end - stock["recue_le"]).dt.days > int(ctx["seuil"])).astype("int64"),
            total=1,
        )
        counted = stock.groupby("territoire")[["ancien", "total"]].sum().reset_index()
        counted["periode"] = key
        parts.append(counted)
    if not parts:
        return _empty()
    found = pd.concat(parts)
    return pd.DataFrame(
        {
            "periode": found["periode"],
            "territoire": found["territoire"],
            "numerateur": found["ancien"],
            "denominateur": found["total"],
        }
    )


def cog_10_41(tables: Tables, ctx: Context) -> pd.DataFrame:
    indus = tables["indus"]
    frauds = indus[indus["frauduleux"].fillna(False).astype(bool)]
    frauds = frauds[frauds["fraude_qualifiee_le"].notna()]
    frauds = in_range(with_territory(frauds, ctx.spec), "fraude_qualifiee_le", ctx.spec)
    frauds = frauds.assign(prejudice=frauds["prejudice"].fillna(0.0))
    rows = year_to_date(frauds, "fraude_qualifiee_le", ctx.spec, "prejudice", None)
    return rows.assign(numerateur=rows["numerateur"].round(2))


def _recovery(indus: pd.DataFrame, tables: Tables, ctx: Context) -> pd.DataFrame:
    recoveries = tables["recouvrements"]
    if ctx["retenues"] == "exclues":
        recoveries = recoveries[recoveries["mode"] != "retenue"]
    indus = with_territory(indus, ctx.spec)
    horizon = int(ctx["horizon_jours"])
    parts = []
    for year in years(ctx.spec):
        if ctx["methode"] == "cohorte":
            if pd.Timestamp(date(year, 12, 31) + timedelta(days=horizon)) > pd.Timestamp(
                ctx.spec.data_end
            ):
                continue  # the horizon of the year's last overpayments is beyond the data
            cohort = indus[indus["constate_le"].dt.year == year]
            paid = cohort[["id_indu", "territoire", "constate_le"]].merge(
                recoveries, on="id_indu", how="inner"
            )
            paid = paid[(paid["recouvre_le"] - paid["constate_le"]).dt.days <= horizon]
        else:  # flux: recovered in the year on any such overpayment / established in the year
            if pd.Timestamp(date(year, 12, 31)) > pd.Timestamp(ctx.spec.data_end):
                continue
            cohort = indus[indus["constate_le"].dt.year == year]
            paid = indus[["id_indu", "territoire"]].merge(recoveries, on="id_indu", how="inner")
            paid = paid[paid["recouvre_le"].dt.year == year]
        established = cohort.groupby("territoire")["montant"].sum().rename("denominateur")
        recovered = paid.groupby("territoire")["montant"].sum().rename("numerateur")
        both = pd.concat([recovered, established], axis=1).fillna(0.0).reset_index()
        both["periode"] = str(year)
        parts.append(both)
    if not parts:
        return _empty()
    found = pd.concat(parts)
    return pd.DataFrame(
        {
            "periode": found["periode"],
            "territoire": found["territoire"],
            "numerateur": found["numerateur"].round(2),
            "denominateur": found["denominateur"].round(2),
        }
    )


def cog_10_42(tables: Tables, ctx: Context) -> pd.DataFrame:
    indus = tables["indus"]
    frauds = indus[indus["frauduleux"].fillna(False).astype(bool) & (indus["prestation"] != "RSA")]
    return _recovery(frauds, tables, ctx)


def cog_10_43(tables: Tables, ctx: Context) -> pd.DataFrame:
    indus = tables["indus"]
    return _recovery(indus[~indus["frauduleux"].fillna(False).astype(bool)], tables, ctx)


def datamining_metier(tables: Tables, ctx: Context) -> pd.DataFrame:
    controles = tables["controles"]
    done = controles[
        controles["cible_datamining"].fillna(False).astype(bool) & controles["realise_le"].notna()
    ]
    done = in_range(with_territory(done, ctx.spec), "realise_le", ctx.spec)
    rows = year_to_date(done.assign(realises=1), "realise_le", ctx.spec, "realises", None)
    # every period × territory has a value: 0 % when nothing was done
    grid = pd.MultiIndex.from_product(
        [
            months(ctx.spec),
            sorted(territories(ctx.spec, controles["commune"])["territoire"].unique()),
        ],
        names=["periode", "territoire"],
    )
    counted = rows.set_index(["periode", "territoire"])["numerateur"].reindex(grid).fillna(0)
    objective = int(ctx["objectif"])
    if ctx["plafond"] == "oui":
        counted = counted.clip(upper=objective)
    out = counted.rename("numerateur").reset_index()
    out["denominateur"] = objective
    return out


def _figure(
    tables: Tables, ctx: Context, counted: Callable[[pd.DataFrame], pd.Series], ratio: bool
) -> pd.DataFrame:
    """A figure of the allocataires' monthly states: December's (or every month's) count.

    A count is a mean over the states taken (December alone: the count itself); a ratio is the
    share among the allocataires of the same states. A year counts once it is over in the data.
    """
    allocataires = with_territory(tables["allocataires"], ctx.spec)
    every = sorted(territories(ctx.spec, allocataires["commune"])["territoire"].unique())
    parts = []
    for year in years(ctx.spec):
        if date(year, 12, 31) > ctx.spec.data_end:
            continue
        if ctx["valeur_annuelle"] == "decembre":
            state = allocataires[allocataires["mois"] == f"{year}-12"]
            states = 1
        else:
            state = allocataires[allocataires["mois"].str.startswith(f"{year}-")]
            states = 12
        state = state.assign(compte=counted(state).astype("int64"), total=1)
        sums = state.groupby("territoire")[["compte", "total"]].sum()
        if ratio:
            sums["denominateur"] = sums["total"]
        else:  # every territory has a value, 0 when it has no allocataire
            sums = sums.reindex(every).fillna(0)
            sums["denominateur"] = states
        sums = sums.rename(columns={"compte": "numerateur"}).reset_index()
        sums["periode"] = str(year)
        parts.append(sums)
    if not parts:
        return _empty()
    return pd.concat(parts)[["periode", "territoire", "numerateur", "denominateur"]]


def kf_allocataires(tables: Tables, ctx: Context) -> pd.DataFrame:
    return _figure(tables, ctx, lambda s: pd.Series(1, index=s.index), ratio=False)


def kf_part_monoparents(tables: Tables, ctx: Context) -> pd.DataFrame:
    return _figure(tables, ctx, lambda s: s["situation_familiale"] == "monoparent", ratio=True)


def kf_allocataires_bas_revenus(tables: Tables, ctx: Context) -> pd.DataFrame:
    return _figure(tables, ctx, lambda s: s["bas_revenus"].fillna(False), ratio=False)


def kf_beneficiaires_aah(tables: Tables, ctx: Context) -> pd.DataFrame:
    return _figure(tables, ctx, lambda s: s["aah"].fillna(False), ratio=False)


def kf_naissances(tables: Tables, ctx: Context) -> pd.DataFrame:
    allocataires = with_territory(tables["allocataires"], ctx.spec)
    born = allocataires[allocataires["naissance"].fillna(False).astype(bool)]
    born = born.assign(annee=born["mois"].str[:4])
    counted = born.groupby(["annee", "territoire"]).size().rename("numerateur").reset_index()
    counted = counted[counted["annee"].isin([str(y) for y in years(ctx.spec)])]
    return pd.DataFrame(
        {
            "periode": counted["annee"],
            "territoire": counted["territoire"],
            "numerateur": counted["numerateur"],
            "denominateur": None,
        }
    )


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=["periode", "territoire", "numerateur", "denominateur"])


IMPLEMENTED: dict[str, Callable[[Tables, Context], pd.DataFrame]] = {
    "cog-08-25": cog_08_25,
    "cog-08-27": cog_08_27,
    "cog-08-28": cog_08_28,
    "cog-08-29": cog_08_29,
    "cog-08-30": cog_08_30,
    "cog-08-31": cog_08_31,
    "cog-08-32": cog_08_32,
    "cog-08-33": cog_08_33,
    "cog-10-41": cog_10_41,
    "cog-10-42": cog_10_42,
    "cog-10-43": cog_10_43,
    "datamining-metier": datamining_metier,
    "kf-allocataires": kf_allocataires,
    "kf-part-monoparents": kf_part_monoparents,
    "kf-allocataires-bas-revenus": kf_allocataires_bas_revenus,
    "kf-beneficiaires-aah": kf_beneficiaires_aah,
    "kf-naissances": kf_naissances,
}


def _number(value: object) -> object:
    """A cell as the engine's rows carry it: integers stay integers, amounts to the cent."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    number = float(value)  # type: ignore[arg-type]
    if number.is_integer():
        return int(number)
    return Decimal(repr(number))


def compute_definition(
    subject_id: str, tables: Tables, spec: RunSpec, overrides: dict[str, str | int] | None = None
) -> list[Row]:
    """The rows of one definition (by subject id), as its SQL query would return them."""
    parameters = {**DEFAULTS[subject_id], **(overrides or {})}
    parameters = {k: v for k, v in parameters.items() if k in DEFAULTS[subject_id]}
    frame = IMPLEMENTED[subject_id](tables, Context(spec, parameters))
    return [
        (subject_id, str(p), str(t), _number(n), _number(d))
        for p, t, n, d in zip(
            frame["periode"],
            frame["territoire"],
            frame["numerateur"],
            frame["denominateur"],
            strict=True,
        )
    ]


def compute_all(
    tables: Tables, spec: RunSpec, subject_ids: list[str] | None = None
) -> dict[str, list[Row]]:
    return {
        subject_id: compute_definition(subject_id, tables, spec, spec.parameters)
        for subject_id in subject_ids or list(IMPLEMENTED)
    }
