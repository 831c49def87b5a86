"""Scopes: what a figure, a target or a status is *of* — the nation, a caisse, a département, an
EPCI, a commune or a CTG territory — and how they nest.

A scope is a value (kind and code), given a name and a parent when it is resolved against a
département's geography (:func:`resolve`). The store keeps a scope as two columns (decision 016):
``scope_type`` « caisse », « national » or « territory », and ``scope_code``: the caisse's code,
« FR », or the territory's own code — an INSEE commune code (5 characters, « 79191 », « 2A004 »),
an EPCI's SIREN (9 digits), « dep-79 » for a département, « ctg-<slug> » for a CTG. The codes of
the different kinds cannot collide, so a territory's kind reads from its code.

Hierarchy: national ⊃ caisse ⊃ département ⊃ EPCI ⊃ commune; a CTG belongs to its caisse and
covers EPCI or communes (configured per caisse).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from cpog.geography import Geography

__all__ = [
    "NATIONAL",
    "Scope",
    "ScopeError",
    "ScopeKind",
    "caisse",
    "kind_of_territory",
    "parse_scope",
    "resolve",
]

NATIONAL_CODE = "FR"


class ScopeError(ValueError):
    """A scope code that names nothing: the message is French and names the code."""


class ScopeKind(StrEnum):
    NATIONAL = "national"
    CAISSE = "caisse"
    DEPARTEMENT = "departement"
    EPCI = "epci"
    COMMUNE = "commune"
    CTG = "ctg"

    @property
    def depth(self) -> int:
        """Nesting depth: 0 for the nation, 4 for a commune (a CTG sits under its caisse)."""
        return _DEPTH[self]


_DEPTH = {
    ScopeKind.NATIONAL: 0,
    ScopeKind.CAISSE: 1,
    ScopeKind.DEPARTEMENT: 2,
    ScopeKind.CTG: 2,
    ScopeKind.EPCI: 3,
    ScopeKind.COMMUNE: 4,
}

# The store's scope_type column
STORE_CAISSE = "caisse"
STORE_NATIONAL = "national"
STORE_TERRITORY = "territory"

_COMMUNE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
_EPCI = re.compile(r"^\d{9}$")
_DEPARTEMENT = re.compile(r"^dep-(?:\d{2,3}|2[AB])$")
_CTG = re.compile(r"^ctg-[a-z0-9][a-z0-9-]{0,15}$")


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    code: str
    name: str = ""
    parent: Scope | None = None

    @property
    def key(self) -> tuple[str, str]:
        """How the store keeps it: (scope_type, scope_code)."""
        if self.kind is ScopeKind.NATIONAL:
            return STORE_NATIONAL, NATIONAL_CODE
        if self.kind is ScopeKind.CAISSE:
            return STORE_CAISSE, self.code
        return STORE_TERRITORY, self.code

    @property
    def store_type(self) -> str:
        return self.key[0]

    @property
    def is_territory(self) -> bool:
        return self.key[0] == STORE_TERRITORY

    def ancestors(self) -> tuple[Scope, ...]:
        """Its parent, the parent's parent … up to the widest known."""
        found: list[Scope] = []
        current = self.parent
        while current is not None:
            found.append(current)
            current = current.parent
        return tuple(found)

    def within(self, other: Scope) -> bool:
        """True when this scope is ``other`` or nested in it."""
        same = (self.kind, self.code)
        return same == (other.kind, other.code) or any(
            (a.kind, a.code) == (other.kind, other.code) for a in self.ancestors()
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.name else self.code


NATIONAL = Scope(ScopeKind.NATIONAL, NATIONAL_CODE, "France entière")


def caisse(code: str, name: str = "") -> Scope:
    return Scope(ScopeKind.CAISSE, code, name, NATIONAL)


def departement_code(department: str) -> str:
    return f"dep-{department}"


def kind_of_territory(code: str) -> ScopeKind | None:
    """The kind of a territory's store code, or None when it is none of them."""
    if _COMMUNE.match(code):
        return ScopeKind.COMMUNE
    if _EPCI.match(code):
        return ScopeKind.EPCI
    if _DEPARTEMENT.match(code):
        return ScopeKind.DEPARTEMENT
    if _CTG.match(code):
        return ScopeKind.CTG
    return None


def parse_scope(scope_type: str, scope_code: str) -> Scope:
    """A scope from the store's two columns (no name, no parent: see :func:`resolve`)."""
    if scope_type == STORE_NATIONAL:
        return NATIONAL
    if scope_type == STORE_CAISSE:
        return caisse(scope_code)
    if scope_type == STORE_TERRITORY:
        kind = kind_of_territory(scope_code)
        if kind is None:
            raise ScopeError(f"Code de territoire non reconnu : « {scope_code} ».")
        return Scope(kind, scope_code)
    raise ScopeError(f"Type de périmètre inconnu : « {scope_type} ».")


def resolve(
    code: str,
    geography: Geography,
    caisse_code: str,
    caisse_name: str = "",
    ctg: dict[str, tuple[str, tuple[str, ...]]] | None = None,
) -> Scope:
    """The scope a user names by ``code`` within a caisse covering ``geography``: the caisse's
    own code, « national », a commune's INSEE code, an EPCI's SIREN, the département (« 79 » or
    « dep-79 ») or a CTG code; with its name and its parents. ``ctg`` maps a CTG code to its name
    and the territory codes it covers. Raises :class:`ScopeError` (French) for a code that names
    nothing in this caisse."""
    text = code.strip()
    home = caisse(caisse_code, caisse_name)
    department = Scope(
        ScopeKind.DEPARTEMENT,
        departement_code(geography.department),
        _department_name(geography),
        home,
    )
    if text.lower() in {"national", "france", NATIONAL_CODE.lower()}:
        return NATIONAL
    if text in {caisse_code, f"caisse-{caisse_code}"}:
        return home
    if text in {geography.department, department.code}:
        return department
    commune = geography.commune_by_code.get(text)
    if commune is not None:
        epci = geography.epci_by_code.get(commune.epci)
        parent = (
            department if epci is None else Scope(ScopeKind.EPCI, epci.code, epci.name, department)
        )
        return Scope(ScopeKind.COMMUNE, commune.code, commune.name, parent)
    epci = geography.epci_by_code.get(text)
    if epci is not None:
        return Scope(ScopeKind.EPCI, epci.code, epci.name, department)
    if ctg and text in ctg:
        return Scope(ScopeKind.CTG, text, ctg[text][0], home)
    raise ScopeError(
        f"Territoire inconnu : « {text} » n'est ni une commune, ni un EPCI, ni le département "
        f"{geography.department}, ni un territoire de CTG de la caisse {caisse_code}."
    )


def _department_name(geography: Geography) -> str:
    return geography.name or f"Département {geography.department}"
