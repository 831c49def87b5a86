"""The groups file: which groups of the identity provider give which role, défis and caisse
(decision 025).

::

    groupes:
      CAF79-CPOG-CONTROLE:
        role: controle_gestion
      CAF79-CPOG-PILOTE-DEFI-1:
        role: pilote
        defis: [1]
      CNAF-CPOG-RESEAU:
        role: lecteur
        caisse: reseau

``role`` is one of cpog's roles (:class:`cpog.store.roles.Role`); ``defis`` (a pilot's only) are
numbers of the défis of the contract of the group's caisse; ``caisse`` is a caisse code of the
store or ``reseau`` (every caisse), by default the installation's caisse. Every mistake is told in
French with the file, the line and the value; :func:`read` checks the form, :func:`checked` also
checks défis and caisses against the store.

A person in several groups never gets a (role, scope) pair that no single group of theirs grants:
each group's scope is resolved first (no ``caisse`` is the installation's caisse), then the pair
of one group is chosen: the strongest role (administrateur, then contrôle de gestion, pilote,
lecteur), and among the groups of that role the widest scope (the network, else their one caisse;
two different caisses are refused). A weaker group's wider scope is not added: contrôle de gestion
of caisse 79 and lecteur of the network give contrôle de gestion of caisse 79, without the network.
The défis are those of the pilot groups of the chosen caisse.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cpog.contract.yamlpos import Located, YamlSyntaxError, load_yaml
from cpog.store.roles import Role

NETWORK = "reseau"  # the same word as cpog.web.accounts.NETWORK, for forms and the CLI
KEYS = ("role", "defis", "caisse")
STRENGTH = (Role.ADMIN, Role.CONTROLE, Role.PILOTE, Role.LECTEUR)  # strongest first


class MappingError(ValueError):
    """The groups file is wrong: French sentences naming file, line and value."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class GroupRule:
    group: str
    role: Role
    challenges: tuple[int, ...] = ()
    caisse: str = ""  # "" the installation's caisse, NETWORK every caisse, else a code
    line: int = 0
    challenges_line: int = 0
    caisse_line: int = 0


@dataclass(frozen=True)
class Mapping:
    file: Path
    rules: dict[str, GroupRule] = field(default_factory=dict)


@dataclass(frozen=True)
class Grant:
    """What a person's groups give: no role means no access."""

    role: Role | None
    challenges: frozenset[tuple[str, int]]  # (caisse code, défi number), of the chosen caisse
    caisse: str | None  # None: the network; else a caisse code (the installation's resolved)
    groups: tuple[str, ...]  # the mapped groups the person is in


class ScopeConflict(ValueError):
    """The groups name two caisses: no scope can be chosen."""


def _where(located: Located, path: tuple[str | int, ...]) -> str:
    line = located.line_of(path)
    return f"{located.file}, ligne {line}" if line else located.file


def read(path: Path) -> Mapping:
    """The groups file, its form checked (roles known, défis whole numbers, no unknown key)."""
    mapping, problems = _read(path)
    if problems:
        raise MappingError(problems)
    return mapping


def _read(path: Path) -> tuple[Mapping, list[str]]:
    """The rules written correctly, and the French problems of the others."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise MappingError([f"{name} : fichier illisible ({error.strerror or error})."]) from None
    try:
        located = load_yaml(text, name)
    except YamlSyntaxError as error:
        where = f"{name}, ligne {error.line}" if error.line else name
        raise MappingError([f"{where} : {error.message}."]) from None
    data = located.data
    if not isinstance(data, dict) or not isinstance(data.get("groupes"), dict):
        raise MappingError(
            [f"{name} : une clé « groupes: » est attendue, suivie des groupes de l'annuaire."]
        )
    problems: list[str] = [
        f"{name}, ligne {line} : clé « {key} » en double." for key, line in located.duplicate_keys
    ]
    roles = ", ".join(role.value for role in STRENGTH)
    rules: dict[str, GroupRule] = {}
    for group, entry in data["groupes"].items():
        at = ("groupes", group)
        if not isinstance(entry, dict):
            problems.append(
                f"{_where(located, at)} : groupe « {group} » : « role: » attendu en dessous."
            )
            continue
        for key in entry:
            if key not in KEYS:
                problems.append(
                    f"{_where(located, (*at, key))} : clé « {key} » inconnue "
                    f"(clés : {', '.join(KEYS)})."
                )
        role_text = str(entry.get("role", "")).strip()
        try:
            role = Role(role_text)
        except ValueError:
            shown = f"rôle « {role_text} » inconnu" if role_text else "« role: » manquant"
            problems.append(f"{_where(located, (*at, 'role'))} : {shown} (rôles : {roles}).")
            continue
        numbers = entry.get("defis") or []
        if isinstance(numbers, int) and not isinstance(numbers, bool):
            numbers = [numbers]
        if not isinstance(numbers, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in numbers
        ):
            problems.append(
                f"{_where(located, (*at, 'defis'))} : défis « {entry.get('defis')} » : une liste "
                "de numéros est attendue, par exemple [1, 4]."
            )
            continue
        if numbers and role != Role.PILOTE:
            problems.append(
                f"{_where(located, (*at, 'defis'))} : défis pilotés pour le rôle « {role.value} » :"
                " seulement pour le rôle « pilote »."
            )
            continue
        caisse = str(entry.get("caisse") or "").strip()
        rules[str(group)] = GroupRule(
            str(group),
            role,
            tuple(sorted(set(numbers))),
            caisse,
            located.line_of(at) or 0,
            located.line_of((*at, "defis")) or 0,
            located.line_of((*at, "caisse")) or 0,
        )
    return Mapping(path, rules), problems


def check_store(mapping: Mapping) -> None:
    """Every caisse the file names has a contract in the store, every défi is in it."""
    problems = _store_problems(mapping)
    if problems:
        raise MappingError(problems)


def _store_problems(mapping: Mapping) -> list[str]:
    from cpog.store.contracts import caisses, contract_of_caisse, current_contract

    known = {entry.code for entry in caisses()}
    problems: list[str] = []
    for rule in mapping.rules.values():
        where = f"{mapping.file}, ligne {rule.caisse_line}"
        if rule.caisse and rule.caisse != NETWORK and rule.caisse not in known:
            problems.append(
                f"{where} : groupe « {rule.group} » : caisse « {rule.caisse} » inconnue (caisses :"
                f" {', '.join(sorted(known)) or 'aucune'} ; ou « {NETWORK} »)."
            )
            continue
        if not rule.challenges:
            continue
        where = f"{mapping.file}, ligne {rule.challenges_line}"
        if rule.caisse == NETWORK:
            problems.append(
                f"{where} : groupe « {rule.group} » : des défis pilotés demandent une caisse, pas "
                f"« {NETWORK} »."
            )
            continue
        _, contract = contract_of_caisse(rule.caisse) if rule.caisse else current_contract()
        numbers = {c.number for c in contract.challenges}
        unknown = [n for n in rule.challenges if n not in numbers]
        if unknown:
            problems.append(
                f"{where} : groupe « {rule.group} » : défi n°{', '.join(map(str, unknown))} "
                f"inconnu dans le contrat « {contract.id} » (défis : "
                f"{', '.join(map(str, sorted(numbers)))})."
            )
    return problems


def checked(path: Path) -> Mapping:
    """The groups file, its form and its défis and caisses checked; every problem told at once,
    in the order of the file's lines."""
    mapping, problems = _read(path)
    problems += _store_problems(mapping)
    if problems:
        raise MappingError(sorted(problems, key=_line_order))
    return mapping


def _line_order(message: str) -> int:
    _, found, rest = message.partition(", ligne ")
    digits = rest.split(" ", 1)[0]
    return int(digits) if found and digits.isdigit() else 0


def grant(mapping: Mapping, groups: Iterable[str], installation: str | None = None) -> Grant:
    """What ``groups`` give (groups the file does not name give nothing): the role and scope of
    one of them, never a role of one with the scope of another (decision 025). ``installation``
    is the installation's caisse code, for groups without ``caisse`` (by default, the store's)."""
    rules = [mapping.rules[g] for g in sorted(set(groups)) if g in mapping.rules]
    if not rules:
        return Grant(None, frozenset(), "", ())
    if installation is None and any(not rule.caisse for rule in rules):
        from cpog.store.contracts import default_caisse_code

        installation = default_caisse_code()

    def scope(rule: GroupRule) -> str | None:
        if rule.caisse == NETWORK:
            return None
        return rule.caisse or installation or ""

    role = next(r for r in STRENGTH if any(rule.role == r for rule in rules))
    scopes = {scope(rule) for rule in rules if rule.role == role}
    if None in scopes:
        caisse: str | None = None
    elif len(scopes) > 1:
        codes = sorted(code for code in scopes if code is not None)
        raise ScopeConflict(
            f"vos groupes « {role.value} » donnent accès à plusieurs caisses "
            f"({', '.join(codes)}) : un compte n'appartient qu'à une caisse, ou au réseau"
        )
    else:
        caisse = next(iter(scopes))
    challenges = frozenset(
        (rule.caisse or installation or "", number)
        for rule in rules
        if rule.role == Role.PILOTE and caisse is not None and scope(rule) == caisse
        for number in rule.challenges
    )
    return Grant(role, challenges, caisse, tuple(rule.group for rule in rules))
