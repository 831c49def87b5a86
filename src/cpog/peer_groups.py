"""Peer groups: groups of comparable caisses, against which a caisse compares itself besides the
whole network (« groupe de pairs »).

The groups are read from a YAML file named by the setting ``CPOG_GROUPES_CAISSES``; without it,
the file shipped with cpog (``reseau/groupes-caisses.yaml``) groups the caisses by the population
of their département. A group lists its caisses by code (``caisses``), or takes those whose
population is within a band (``population_min`` included, ``population_max`` excluded), or both.
A caisse belongs to the first group that takes it, in the file's order; a caisse no group takes
has no peer group. A bad file is refused with a French message naming the file and the line.

Example::

    groupes:
      - nom: Caisses d'Île-de-France
        caisses: ["75", "77", "78", "91", "92", "93", "94", "95"]
      - nom: Moins de 300 000 habitants
        population_max: 300000
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cpog.contract.yamlpos import Located, YamlSyntaxError, load_yaml
from cpog.errors import CpogError

__all__ = [
    "DEFAULT_FILE",
    "GROUPS_ENV",
    "PeerGroup",
    "PeerGroupError",
    "PeerGroups",
    "peer_groups",
    "read_peer_groups",
]

GROUPS_ENV = "CPOG_GROUPES_CAISSES"
DEFAULT_FILE = Path(__file__).parent / "reseau" / "groupes-caisses.yaml"
_KEYS = {"nom", "description", "caisses", "population_min", "population_max"}


class PeerGroupError(CpogError):
    """A peer groups file that cannot be used: the message names the file and the line."""


@dataclass(frozen=True)
class PeerGroup:
    name: str
    description: str = ""
    caisses: tuple[str, ...] = ()
    population_min: int | None = None
    population_max: int | None = None

    def takes(self, code: str, population: int | None) -> bool:
        if code in self.caisses:
            return True
        if self.population_min is None and self.population_max is None:
            return False
        if population is None:
            return False
        low = self.population_min if self.population_min is not None else 0
        return population >= low and (
            self.population_max is None or population < self.population_max
        )


@dataclass(frozen=True)
class PeerGroups:
    source: str  # the file read, as the user names it
    groups: tuple[PeerGroup, ...]

    def group_of(self, code: str, population: int | None) -> PeerGroup | None:
        return next((g for g in self.groups if g.takes(code, population)), None)

    def named(self, name: str) -> PeerGroup | None:
        wanted = name.strip().casefold()
        return next((g for g in self.groups if g.name.casefold() == wanted), None)

    def members(self, populations: Mapping[str, int | None]) -> dict[str, str]:
        """Caisse code → name of its group, for the caisses given with their population."""
        found: dict[str, str] = {}
        for code, population in populations.items():
            group = self.group_of(code, population)
            if group is not None:
                found[code] = group.name
        return found


def peer_groups() -> PeerGroups:
    """The groups of the setting ``CPOG_GROUPES_CAISSES``, else the shipped default."""
    configured = os.environ.get(GROUPS_ENV, "").strip()
    return read_peer_groups(Path(configured) if configured else DEFAULT_FILE)


def read_peer_groups(path: Path) -> PeerGroups:
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PeerGroupError(
            f"Fichier des groupes de caisses introuvable : {shown} (réglage {GROUPS_ENV})."
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise PeerGroupError(
            f"Fichier des groupes de caisses illisible : {shown} ({error})."
        ) from None
    try:
        located = load_yaml(text, shown)
    except YamlSyntaxError as error:
        where = f", ligne {error.line}" if error.line else ""
        raise PeerGroupError(f"{shown}{where} : {error}") from None
    if located.duplicate_keys:
        key, line = located.duplicate_keys[0]
        raise PeerGroupError(f"{shown}, ligne {line} : clé « {key} » écrite deux fois.")
    return PeerGroups(shown, _groups(located))


def _fail(located: Located, path: tuple[str | int, ...], message: str) -> PeerGroupError:
    line = located.line_of(path)
    where = f", ligne {line}" if line else ""
    return PeerGroupError(f"{located.file}{where} : {message}")


def _groups(located: Located) -> tuple[PeerGroup, ...]:
    data = located.data
    if not isinstance(data, dict) or "groupes" not in data:
        raise _fail(located, (), "la clé « groupes » (une liste de groupes) est attendue.")
    extra = sorted(set(data) - {"groupes"})
    if extra:
        raise _fail(located, (extra[0],), f"clé « {extra[0]} » inconnue (seule « groupes »).")
    items = data["groupes"]
    if not isinstance(items, list) or not items:
        raise _fail(located, ("groupes",), "« groupes » doit être une liste non vide.")
    found: list[PeerGroup] = []
    names: set[str] = set()
    for index, item in enumerate(items):
        group = _group(located, index, item)
        if group.name.casefold() in names:
            raise _fail(located, ("groupes", index, "nom"), f"groupe « {group.name} » en double.")
        names.add(group.name.casefold())
        found.append(group)
    return tuple(found)


def _group(located: Located, index: int, item: Any) -> PeerGroup:
    at: tuple[str | int, ...] = ("groupes", index)
    if not isinstance(item, dict):
        raise _fail(located, at, "un groupe s'écrit avec « nom » et « caisses » ou une population.")
    unknown = sorted(set(item) - _KEYS)
    if unknown:
        raise _fail(
            located,
            (*at, unknown[0]),
            f"clé « {unknown[0]} » inconnue (permises : {', '.join(sorted(_KEYS))}).",
        )
    name = item.get("nom")
    if not isinstance(name, str) or not name.strip():
        raise _fail(located, (*at, "nom"), "chaque groupe a un « nom » (texte non vide).")
    caisses = item.get("caisses", [])
    if not isinstance(caisses, list) or not all(isinstance(c, str | int) for c in caisses):
        raise _fail(
            located, (*at, "caisses"), "« caisses » est une liste de codes (« 79 », « 2A »)."
        )
    bounds = [
        _bound(located, (*at, key), item.get(key)) for key in ("population_min", "population_max")
    ]
    low, high = bounds
    if low is not None and high is not None and low >= high:
        raise _fail(
            located, (*at, "population_max"), "« population_max » doit dépasser « population_min »."
        )
    if not caisses and low is None and high is None:
        raise _fail(
            located,
            at,
            f"le groupe « {name} » ne prend aucune caisse : « caisses » ou une population.",
        )
    codes = tuple(_code(c) for c in caisses)
    return PeerGroup(name.strip(), str(item.get("description") or ""), codes, low, high)


def _code(value: str | int) -> str:
    text = str(value).strip().upper()
    return text.zfill(2) if text.isdigit() else text


def _bound(located: Located, path: tuple[str | int, ...], value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(located, path, f"« {path[-1]} » est un nombre d'habitants entier positif.")
    return value


def populations_of(codes: Sequence[str], known: Mapping[str, int]) -> dict[str, int | None]:
    """The population of each caisse code (None when unknown)."""
    return {code: known.get(code) for code in codes}
