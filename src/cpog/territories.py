"""The territories of a caisse: its département's communes and EPCI (:mod:`cpog.geography`) and
its CTG territories (conventions territoriales globales), configured per caisse in a YAML file.

A CTG file (setting ``CPOG_CTG``, by default ``<CPOG_DATA_DIR>/ctg.yaml``; decision 020)::

    ctg:
      - code: ctg-nord          # « ctg- » then lowercase letters, digits and dashes
        nom: CTG du Nord Deux-Sèvres
        epci: ["200041317"]     # SIREN of EPCI of the département (all their communes)
        communes: ["79191"]     # and/or INSEE codes of single communes

Every problem is reported at once, in French, with the file, the line and the code (an unknown
commune or EPCI, a bad or doubled code, a commune in two CTG). A CTG's value is aggregated from
the communes it covers (or its EPCI), never stored apart unless a file or the API gives it.

:class:`Territories` answers what the status by territory asks: the scope a code names (with its
name and parents), the children a scope's value is aggregated from (communes → EPCI →
département or CTG), the communes it covers.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cpog.assess.aggregate import Method, Part, aggregate
from cpog.contract.yamlpos import YamlSyntaxError, load_yaml
from cpog.errors import CpogError
from cpog.geography import Geography
from cpog.scope import (
    Scope,
    ScopeError,
    ScopeKind,
    caisse,
    departement_code,
    kind_of_territory,
    resolve,
)
from cpog.vocabulary import AGGREGATION_METHOD, SCOPE_KIND, SCOPE_KIND_PLURAL, VALUE_ORIGIN

__all__ = [
    "CTG_ENV",
    "Ctg",
    "CtgError",
    "Territories",
    "ValueOrigin",
    "aggregated_series",
    "default_ctg_path",
    "read_ctg",
]

CTG_ENV = "CPOG_CTG"
CTG_FILE = "ctg.yaml"
_KEYS = {"code", "nom", "epci", "communes"}


class CtgError(CpogError):
    """A CTG file that cannot be used: every problem, one per line, each naming file and line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "Fichier des CTG refusé :\n" + "\n".join(f"  {problem}" for problem in problems)
        )


@dataclass(frozen=True)
class Ctg:
    code: str  # « ctg-nord »
    name: str
    epcis: tuple[str, ...] = ()  # SIREN
    communes: tuple[str, ...] = ()  # INSEE codes given one by one
    line: int = 0  # in its file


def default_ctg_path(data_dir: Path | None = None) -> Path | None:
    """``CPOG_CTG`` when set, else ``ctg.yaml`` in the data folder (``data_dir`` or
    ``CPOG_DATA_DIR``), else none."""
    explicit = os.environ.get(CTG_ENV, "").strip()
    if explicit:
        return Path(explicit)
    folder = data_dir or (Path(d) if (d := os.environ.get("CPOG_DATA_DIR", "").strip()) else None)
    return folder / CTG_FILE if folder is not None else None


def read_ctg(path: Path, geography: Geography) -> tuple[Ctg, ...]:
    """The CTG of ``path``, checked against ``geography``; :class:`CtgError` lists every
    problem. A missing file is no CTG only when it is the default one (the caller decides)."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else "illisible"
        raise CtgError([f"{path} : fichier illisible ({reason})."]) from None
    try:
        located = load_yaml(text, name)
    except YamlSyntaxError as error:
        raise CtgError([f"{name}, ligne {error.line or '?'} : {error.message}."]) from None
    problems: list[str] = []

    def problem(where: tuple[str | int, ...], message: str) -> None:
        problems.append(f"{name}, ligne {located.line_of(where) or 1} : {message}.")

    for key, line in located.duplicate_keys:
        problems.append(f"{name}, ligne {line} : clé « {key} » en double.")
    data: Any = located.data
    if data is None:
        return ()
    if not isinstance(data, dict) or set(data) - {"ctg"}:
        problem((), "le fichier doit tenir une seule clé « ctg: » suivie de la liste des CTG")
        raise CtgError(problems)
    items = data.get("ctg") or []
    if not isinstance(items, list):
        problem(("ctg",), "« ctg » doit être une liste (une entrée « - code: … » par CTG)")
        raise CtgError(problems)
    found: list[Ctg] = []
    codes: dict[str, int] = {}
    owner: dict[str, str] = {}  # commune → the CTG that covers it
    for index, item in enumerate(items):
        where: tuple[str | int, ...] = ("ctg", index)
        line = located.line_of(where) or 1
        if not isinstance(item, dict):
            problem(where, "entrée attendue sous la forme « code: », « nom: », « epci: »")
            continue
        for unknown in sorted(set(map(str, item)) - _KEYS):
            problem(
                (*where, unknown), f"clé « {unknown} » inconnue (clés : code, nom, epci, communes)"
            )
        code = str(item.get("code") or "").strip()
        if kind_of_territory(code) is not ScopeKind.CTG:
            problem(
                (*where, "code"),
                f"code « {code} » invalide : « ctg- » suivi de lettres minuscules, chiffres ou"
                " tirets (16 au plus), par exemple « ctg-nord »",
            )
        elif code in codes:
            problem((*where, "code"), f"code « {code} » déjà employé ligne {codes[code]}")
        else:
            codes[code] = line
        label = str(item.get("nom") or "").strip()
        if not label:
            problem((*where, "nom"), f"« nom » manquant pour la CTG « {code} »")
        epcis = _codes(item.get("epci"), (*where, "epci"), problem)
        communes = _codes(item.get("communes"), (*where, "communes"), problem)
        if not epcis and not communes:
            problem(where, f"la CTG « {code} » ne couvre aucun EPCI ni aucune commune")
        covered: list[str] = []
        for key, codes_, known, word in (
            ("epci", epcis, geography.epci_by_code, "EPCI « {} » inconnu"),
            ("communes", communes, geography.commune_by_code, "commune « {} » inconnue"),
        ):
            for n, found_code in enumerate(codes_):
                if found_code not in known:
                    problem(
                        (*where, key, n),
                        word.format(found_code)
                        + f" dans le département {geography.department} (CTG « {code} »)",
                    )
                elif key == "epci":
                    covered += [c.code for c in geography.communes if c.epci == found_code]
                else:
                    covered.append(found_code)
        for commune in covered:
            other = owner.get(commune)
            if other is not None and other != code:
                shown = geography.commune_by_code[commune].name
                problem(
                    where,
                    f"la commune {commune} ({shown}) est déjà dans la CTG « {other} » : une commune"
                    " appartient à une seule CTG",
                )
                break
            owner[commune] = code
        found.append(Ctg(code, label, tuple(epcis), tuple(communes), line))
    if problems:
        raise CtgError(problems)
    return tuple(found)


def _codes(value: Any, where: tuple[str | int, ...], problem: Any) -> list[str]:
    """A list of codes kept as text (a YAML number is taken as its digits)."""
    if value is None:
        return []
    if not isinstance(value, list):
        value = [value]
    codes = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, str | int):
            problem(where, f"code « {item} » : texte attendu (entre guillemets)")
            continue
        codes.append(str(item).strip())
    return codes


@dataclass(frozen=True)
class Territories:
    """A caisse's territories: its département's geography and its CTG."""

    caisse_code: str
    caisse_name: str
    geography: Geography
    ctgs: tuple[Ctg, ...] = ()
    _ctg_by_code: dict[str, Ctg] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._ctg_by_code.update({c.code: c for c in self.ctgs})

    @property
    def caisse(self) -> Scope:
        return caisse(self.caisse_code, self.caisse_name)

    @property
    def department_code(self) -> str:
        return departement_code(self.geography.department)

    def resolve(self, code: str) -> Scope:
        """The scope ``code`` names, with its name and parents (:func:`cpog.scope.resolve`);
        :class:`cpog.scope.ScopeError` (French) for a code naming nothing here. « DEP-79 »
        and « CTG-Nord » read as « dep-79 », « ctg-nord »."""
        text = code.strip()
        if text[:4].lower() in ("dep-", "ctg-"):
            text = text.lower()
        return resolve(
            text,
            self.geography,
            self.caisse_code,
            self.caisse_name,
            {c.code: (c.name, (*c.epcis, *c.communes)) for c in self.ctgs},
        )

    def store_code(self, text: str) -> str:
        """The store's code of the territory ``text`` names (« » for the caisse itself);
        :class:`ScopeError` otherwise, and for the nation (not a caisse's territory)."""
        if not text.strip():
            return ""
        scope = self.resolve(text)
        if scope.kind is ScopeKind.NATIONAL:
            raise ScopeError("le niveau national n'est pas un territoire de la caisse")
        return "" if scope.kind is ScopeKind.CAISSE else scope.code

    def kind_label(self, scope: Scope) -> str:
        if scope.kind is ScopeKind.EPCI:
            epci = self.geography.epci_by_code.get(scope.code)
            if epci is not None:
                return f"EPCI, {epci.kind}"
        return SCOPE_KIND[scope.kind]

    def epcis(self) -> list[Scope]:
        department = self.resolve(self.department_code)
        return [Scope(ScopeKind.EPCI, e.code, e.name, department) for e in self.geography.epcis]

    def communes(self, epci: str | None = None) -> list[Scope]:
        return [
            self.resolve(c.code) for c in self.geography.communes if epci is None or c.epci == epci
        ]

    def ctg_scopes(self) -> list[Scope]:
        return [Scope(ScopeKind.CTG, c.code, c.name, self.caisse) for c in self.ctgs]

    def children(self, scope: Scope) -> list[str]:
        """The codes a scope's value is aggregated from: an EPCI's communes, the département's
        EPCI (its communes outside any EPCI too), a CTG's EPCI and single communes, the caisse's
        département; a commune has none."""
        if scope.kind is ScopeKind.EPCI:
            return [c.code for c in self.geography.communes if c.epci == scope.code]
        if scope.kind is ScopeKind.DEPARTEMENT:
            alone = [c.code for c in self.geography.communes if not c.epci]
            return [e.code for e in self.geography.epcis] + alone
        if scope.kind is ScopeKind.CTG:
            ctg = self._ctg_by_code.get(scope.code)
            return [] if ctg is None else [*ctg.epcis, *ctg.communes]
        if scope.kind is ScopeKind.CAISSE:
            return [self.department_code]
        return []

    def children_codes(self, code: str) -> list[str]:
        """:meth:`children` of the territory ``code`` (empty for an unknown code)."""
        kind = kind_of_territory(code)
        if kind is None:
            return []
        return self.children(Scope(kind, code))

    def descendants(self, code: str) -> list[str]:
        """Every territory whose value may enter ``code``'s: children, theirs, and so on."""
        found: list[str] = []
        for child in self.children_codes(code):
            found += [child, *self.descendants(child)]
        return found

    def communes_of(self, scope: Scope) -> list[str]:
        """The communes a scope covers (a commune: itself)."""
        if scope.kind is ScopeKind.COMMUNE:
            return [scope.code]
        if scope.kind in (ScopeKind.NATIONAL, ScopeKind.CAISSE):
            return [c.code for c in self.geography.communes]
        found: list[str] = []
        for child in self.children(scope):
            found += self.communes_of(self.resolve(child))
        return found

    def population(self, codes: Iterable[str]) -> int:
        by_code = self.geography.commune_by_code
        return sum(by_code[c].population for c in codes if c in by_code)


@dataclass(frozen=True)
class ValueOrigin:
    """Where a territory's value of a period comes from: stored for the territory itself
    (``own``), or aggregated from the values of its children (communes of an EPCI, EPCI of the
    département or of a CTG) — by ``method``, from ``parts`` of the ``expected`` children
    (``missing`` lists the others) — or none (``reason`` says why, in French)."""

    kind: str  # own | aggregated | none (cpog.vocabulary.VALUE_ORIGIN)
    method: Method | None = None
    parts: int = 0
    expected: int = 0
    child_kind: str = ""  # ScopeKind of the children: « commune », « epci »
    missing: tuple[str, ...] = ()
    incomplete: bool = False  # a part was itself aggregated with parts missing
    reason: str = ""

    @property
    def complete(self) -> bool:
        return self.kind == "own" or (
            self.kind == "aggregated" and not self.missing and not self.incomplete
        )

    @property
    def text(self) -> str:
        """« valeur du territoire », « agrégée de 38 communes sur 40 (ratio des sommes …),
        incomplète : 2 sans valeur », « non agrégeable : … »."""
        if self.kind == "own":
            return VALUE_ORIGIN["own"]
        if self.kind == "none":
            return self.reason or VALUE_ORIGIN["none"]
        words = (SCOPE_KIND_PLURAL if self.parts > 1 else SCOPE_KIND).get(
            self.child_kind, self.child_kind
        )
        text = f"agrégée de {self.parts} {words}"
        if self.parts != self.expected:
            text += f" sur {self.expected}"
        if self.method is not None:
            text += f" ({AGGREGATION_METHOD[self.method]})"
        if self.missing:
            text += f", incomplète : {len(self.missing)} sans valeur"
        elif self.incomplete:
            text += ", incomplète"
        return text


def aggregated_series(
    territories: Territories,
    code: str,
    parts: dict[str, dict[str, Part]],
    method: Method,
) -> dict[str, tuple[Part | None, ValueOrigin]]:
    """Period key → the value of territory ``code`` and its origin: its own stored value when
    there is one (``parts[code]``), else the aggregate of its children's values (each their own
    or aggregated in turn), by ``method`` (:func:`cpog.assess.aggregate.aggregate`)."""
    keys = sorted({key for periods in parts.values() for key in periods})
    found: dict[str, tuple[Part | None, ValueOrigin]] = {}
    for key in keys:
        memo: dict[str, tuple[Part | None, ValueOrigin]] = {}
        part, origin = _value_at(territories, code, key, parts, method, memo)
        if part is not None or origin.kind != "none" or origin.reason:
            found[key] = (part, origin)
    return found


def _value_at(
    territories: Territories,
    code: str,
    key: str,
    parts: dict[str, dict[str, Part]],
    method: Method,
    memo: dict[str, tuple[Part | None, ValueOrigin]],
) -> tuple[Part | None, ValueOrigin]:
    if code in memo:
        return memo[code]
    own = parts.get(code, {}).get(key)
    if own is not None and own.value is not None:
        memo[code] = (own, ValueOrigin("own"))
        return memo[code]
    children = territories.children_codes(code)
    if not children:
        memo[code] = (None, ValueOrigin("none"))
        return memo[code]
    values = [
        (child, *_value_at(territories, child, key, parts, method, memo)) for child in children
    ]
    known = [p for _, p, _ in values if p is not None]
    incomplete = any(not o.complete for _, p, o in values if p is not None)
    child_kind = str(kind_of_territory(children[0]) or "")
    result = aggregate(
        [
            Part(child, p.value, p.numerator, p.denominator)
            for child, p, _ in values
            if p is not None
        ],
        method,
        children,
    )
    if not known:
        memo[code] = (None, ValueOrigin("none"))
    elif result.value is None:
        memo[code] = (
            None,
            ValueOrigin("none", method, result.parts, len(children), child_kind, result.missing,
                        reason=result.reason),
        )  # fmt: skip
    else:
        memo[code] = (
            Part(code, result.value, result.numerator, result.denominator),
            ValueOrigin(
                "aggregated", method, result.parts, len(children), child_kind, result.missing,
                incomplete,
            ),
        )  # fmt: skip
    return memo[code]
