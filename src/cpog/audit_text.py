"""The audit trail in words: one French sentence per written event, as a controller would say it.

« COG 08-32 Délai moyen … — novembre 2026 : 19,36 → 13,5 jours (révision, saisie) »
« Cible 2026 de COG 08-29 … : 14 → 13 jours (individualisée, notification de la Cnaf, motif : …) »

The audit trail keeps internal keys (``indicator:cog-08-32:2026-11``, ``revise``, ``manual``);
this module turns them into the subject's code and label from the current contract, French
periods, values with their units and the vocabulary's labels. Plain Python: the history page and
the dashboard call it, tests call it without the web.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from cpog.contract.model import Contract, MeasureKind
from cpog.contract.units import change_text, quantity_text, with_number
from cpog.formatting import capitalised, fr_date, fr_number, fr_signed
from cpog.periods import PeriodError, parse_period
from cpog.vocabulary import (
    ACTION_STATUS,
    AUDIT_ACTION,
    AUDIT_ENTITY,
    REMINDER_KIND,
    ROLE,
    TARGET_PROVENANCE,
    VALUE_SOURCE,
    VALUE_STATUS,
    open_data_field,
    target_kind,
)

# Longer free texts (reasons, analyses, comments) are cut: the sentence names the event, the
# subject's page holds the whole text.
MAX_QUOTED = 120
MAX_NAME = 80  # of a subject's or an action's label

# Where a write came from, when the audit trail says it in a word of its own.
CONTEXTS = {"cpog load": "chargement du contrat"}


class Event(Protocol):
    """What a sentence needs of an audit event (cpog.store.models.AuditEvent)."""

    @property
    def entity_type(self) -> str: ...
    @property
    def entity_id(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def before(self) -> Any: ...
    @property
    def after(self) -> Any: ...
    @property
    def context(self) -> str: ...


@dataclass(frozen=True)
class SubjectWords:
    name: str  # « COG 08-32 Délai moyen … », « d01-r1 Places nouvelles nettes … »
    unit: str | None  # of its values
    target_unit: str | None = None  # of its targets, when they are changes (« +15 points »)

    @property
    def targets_are_changes(self) -> bool:
        return self.target_unit is not None


# A measure of a change has targets in % of change or in points, signed, not in its unit.
CHANGE_UNITS = {MeasureKind.RELATIVE_CHANGE: "%", MeasureKind.POINT_CHANGE: "points"}


class ContractWords:
    """The names of a contract's subjects and actions, looked up once for many sentences."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.subjects: dict[tuple[str, str], SubjectWords] = {}
        for indicator in contract.indicators:
            label = _cut(indicator.label, MAX_NAME)
            name = f"{indicator.code} {label}" if indicator.code else label
            self.subjects[("indicator", indicator.id)] = SubjectWords(name, indicator.unit)
        for _, result, measure in contract.measures():
            milestone = measure.kind is MeasureKind.MILESTONE
            unit = measure.unit or ("%" if milestone else None)
            self.subjects[("measure", measure.id)] = SubjectWords(
                f"{result.id} {_cut(measure.label, MAX_NAME)}", unit, CHANGE_UNITS.get(measure.kind)
            )
        for figure in contract.diagnosis.key_figures:  # computed from extracts (cpog compute)
            self.subjects[("figure", figure.id)] = SubjectWords(
                f"Chiffre du diagnostic « {_cut(figure.label, MAX_NAME)} »", figure.unit
            )
        self.actions = {a.id: a.text for c in contract.challenges for a in c.actions}

    def subject(self, subject_type: str, subject_id: str) -> SubjectWords:
        kinds = (subject_type,) if subject_type else ("indicator", "measure")
        for kind in kinds:  # no type: the targets cpog load writes name only the subject's id
            found = self.subjects.get((kind, subject_id))
            if found is not None:
                return found
        noun = {"indicator": "indicateur", "measure": "mesure", "figure": "chiffre"}.get(
            subject_type, "sujet"
        )
        return SubjectWords(f"{noun} « {subject_id} » (absent du contrat en vigueur)", None)

    def action(self, action_id: str) -> str:
        text = self.actions.get(action_id)
        if text is None:
            return f"Action {action_id} (absente du contrat en vigueur)"
        return f"Action {action_id} « {_cut(text, MAX_NAME)} »"


def event_sentence(event: Event, contract: Contract | ContractWords) -> str:
    """The event as a user would say it, without internal keys."""
    words = contract if isinstance(contract, ContractWords) else ContractWords(contract)
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    writer = _WRITERS.get(event.entity_type, _other)
    return writer(event, words, before, after).rstrip()


# --- one writer per kind of event -----------------------------------------------------------

Snapshot = Mapping[str, Any]


def _measurement(event: Event, words: ContractWords, before: Snapshot, after: Snapshot) -> str:
    subject_type, subject_id, period_key = _subject_key(event.entity_id)
    subject = words.subject(subject_type, subject_id)
    text = f"{subject.name} — {_period(period_key)}"
    if after.get("territory"):  # a value computed for an EPCI or a commune
        text += f", territoire {after['territory']}"
    text += f" : {_values(before, after, subject.unit)}"
    old_status, new_status = before.get("status"), after.get("status")
    if before and old_status != new_status and old_status and new_status:
        text += f", {_label(VALUE_STATUS, old_status)} → {_label(VALUE_STATUS, new_status)}"
    if after.get("confirmed_unusual"):
        text += ", valeur inhabituelle confirmée"
    if after.get("frozen_year"):  # a change to a frozen year, with its motif (decision 027)
        text += (
            f", année figée {after['frozen_year']} modifiée, motif : "
            f"« {_cut(str(after.get('motif', '')))} »"
        )
    origin = _value_origin(event.context, after.get("source"))
    return f"{text} {_aside(_label(AUDIT_ACTION, event.action), origin)}"


def _target(event: Event, words: ContractWords, before: Snapshot, after: Snapshot) -> str:
    parts = event.entity_id.split(":")
    if len(parts) == 4:  # subject_type:subject_id:year:kind
        subject_type, subject_id, year, kind = parts
    else:  # the targets cpog load writes from the contract: the subject is in the snapshot
        subject_type, subject_id = "", str(after.get("subject", ""))
        year, kind = str(after.get("year", "")), str(after.get("kind", ""))
        if not kind and event.context == "cpog load":
            kind = "fixed"
    subject = words.subject(subject_type, subject_id)
    details = _aside(
        target_kind(kind) if kind else "",
        _label(TARGET_PROVENANCE, after.get("provenance")),
        _origin(event.context),
        f"motif : {_cut(str(after['reason']))}" if after.get("reason") else "",
    )
    if subject.targets_are_changes:
        values = _values(before, after, subject.target_unit, signed=True)
    else:
        values = _values(before, after, subject.unit)
    year_text = f" {year}" if year else ""
    return f"Cible{year_text} de {subject.name} : {values} {details}"


def _contract_version(event: Event, words: ContractWords, before: Snapshot, after: Snapshot) -> str:
    contract_id, _, version = event.entity_id.rpartition(":v")
    contract = words.contract
    name = contract.short_title if contract_id == contract.id else contract_id or event.entity_id
    amended = _shown(after.get("amendment_date"))
    if amended != "—":
        text = f"Avenant du {amended} au contrat « {name} » (version {version})"
    else:
        text = f"Chargement du contrat « {name} » (version {version})"
    if after.get("reason"):
        text += f", motif : {_cut(str(after['reason']))}"
    return text


ACTION_FIELDS = {
    "status": "statut",
    "progress": "avancement",
    "owner": "responsable",
    "start_date": "début",
    "due_date": "échéance",
}


def _action_state(event: Event, words: ContractWords, before: Snapshot, after: Snapshot) -> str:
    changes = []
    for key, label in ACTION_FIELDS.items():
        old, new = _shown(before.get(key), key), _shown(after.get(key), key)
        if before and old != new:
            changes.append(f"{label} {old} → {new}")
        elif not before and new != "—":
            changes.append(f"{label} {new}")
    done = ", ".join(changes) or "aucun changement"
    return f"{words.action(event.entity_id)} : {done} {_how(event)}"


def _action_milestone(event: Event, words: ContractWords, before: Snapshot, after: Snapshot) -> str:
    action_id = event.entity_id.split(":")[0]
    due = _shown(after.get("due_date"))
    label = _cut(str(after.get("label", "")))
    return f"{words.action(action_id)} : jalon « {label} » ajouté, échéance {due} {_how(event)}"


def _action_update(event: Event, words: ContractWords, before: Snapshot, after: Snapshot) -> str:
    action_id = event.entity_id.split(":")[0]
    text = f"{words.action(action_id)} : point d'avancement du {_shown(after.get('on'))}"
    if after.get("progress") is not None:
        text += f", avancement {_shown(after['progress'], 'progress')}"
    if after.get("text"):
        text += f" : « {_cut(str(after['text']))} »"
    return f"{text} {_how(event)}"


def _analysis(event: Event, words: ContractWords, before: Snapshot, after: Snapshot) -> str:
    subject_type, subject_id, period_key = _subject_key(event.entity_id)
    subject = words.subject(subject_type, subject_id)
    analysis = _cut(str(after.get("analysis", "")))
    text = f"{subject.name} — {_period(period_key)} : analyse « {analysis} »"
    if after.get("corrective_action"):
        text += f", action corrective « {_cut(str(after['corrective_action']))} »"
    return f"{text} {_how(event)}"


def _import_batch(event: Event, words: ContractWords, before: Snapshot, after: Snapshot) -> str:
    name = after.get("file_name") or event.context or event.entity_id
    return f"Import du fichier « {name} » {_how(event)}"


def _api_token(event: Event, words: ContractWords, before: Snapshot, after: Snapshot) -> str:
    """« Jeton d'accès à l'API « tableur » de pilote, valable jusqu'au 27/02/2027 (création) »."""
    snapshot = after or before
    text = f"Jeton d'accès à l'API « {_cut(str(snapshot.get('name', '')), MAX_NAME)} »"
    if snapshot.get("owner"):
        text += f" de {snapshot['owner']}"
    if event.action == "create" and snapshot.get("expires_on"):
        text += f", valable jusqu'au {_shown(snapshot['expires_on'], 'expires_on')}"
    return f"{text} {_how(event)}"


def _user_account(event: Event, words: ContractWords, before: Snapshot, after: Snapshot) -> str:
    """« Compte « mdupont » : Pilote de défi, défis n°4 (création) »; never a password."""
    snapshot = after or before
    text = f"Compte « {snapshot.get('username') or event.entity_id} »"
    role = ROLE.get(str(snapshot.get("role", "")), "")
    if role and event.action in ("create", "update"):
        text += f" : {role}"
        numbers = snapshot.get("challenges") or []
        if numbers:
            text += f", défi{'s' if len(numbers) > 1 else ''} n°{', '.join(map(str, numbers))}"
    return f"{text} {_how(event)}"


def _open_data_value(event: Event, words: ContractWords, before: Snapshot, after: Snapshot) -> str:
    """« Donnée ouverte txcouv_pe_epci, taux de couverture global (…), territoire 200041317,
    2022 : 71,4 → 71,6 (révision, import des données ouvertes v2.csv) »."""
    parts = event.entity_id.split(":")  # dataset:field:bracket:territory:period
    if len(parts) < 5:
        return _other(event, words, before, after)
    dataset, field, territory, period = parts[0], parts[1], parts[-2], parts[-1]
    category = ":".join(parts[2:-2])
    text = f"Donnée ouverte {dataset}, {open_data_field(field)}"
    if category:
        text += f", tranche {category}"
    text += f", territoire {territory}, {_period(period)} : {_values(before, after, None)}"
    return f"{text} {_how(event)}"


# What ``cpog demo --retirer`` removes (cpog.store.demo_removal), in the order it is told.
DEMO_ROWS: tuple[tuple[str, str], ...] = (
    ("values", "valeurs"),
    ("targets", "cibles"),
    ("actions", "actions suivies"),
    ("action_lines", "lignes de suivi (points d'avancement, jalons)"),
    ("analyses", "analyses"),
    ("batches", "imports"),
    ("caisses", "caisses du réseau"),
    ("contract_versions", "versions de contrat"),
    ("audit_events", "lignes de l'historique"),
)


def demo_rows_text(counts: Mapping[str, object]) -> str:
    """« 1 234 valeurs, 56 cibles et 12 actions suivies »: the counts that are not zero."""
    parts = []
    for key, words in DEMO_ROWS:
        count = counts.get(key)
        if isinstance(count, int) and count:
            parts.append(with_number(fr_number(count), count, words))
    if not parts:
        return "aucune ligne"
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} et {parts[-1]}"


def _demo_data(event: Event, words: ContractWords, before: Snapshot, after: Snapshot) -> str:
    """« Données de démonstration retirées : 1 234 valeurs et 56 cibles (suppression) »."""
    return f"Données de démonstration retirées : {demo_rows_text(before)} {_how(event)}"


def _period_lock(event: Event, words: ContractWords, before: Snapshot, after: Snapshot) -> str:
    """« Revue annuelle 2025 figée » / « Revue annuelle 2025 dégelée, motif : « … » »."""
    year = after.get("year") or before.get("year") or event.entity_id.rpartition(":")[2]
    if event.action == "unfreeze":
        return f"Revue annuelle {year} dégelée, motif : « {_cut(str(after.get('motif', '')))} »"
    return f"Revue annuelle {year} figée (instantané du {_shown(after.get('as_of'))})"


def _retention(event: Event, words: ContractWords, before: Snapshot, after: Snapshot) -> str:
    """« Purge des données personnelles : 3 sessions, 12 traces de connexion, … »."""
    logins = sum(int(after.get(k, 0)) for k in ("login_attempts", "login_logs", "login_failures"))
    parts = [
        with_number(
            fr_number(int(after.get("sessions", 0))),
            int(after.get("sessions", 0)),
            "sessions expirées",
        ),
        with_number(fr_number(logins), logins, "traces de connexion"),
        with_number(
            fr_number(int(after.get("uploads", 0))),
            int(after.get("uploads", 0)),
            "fichiers déposés",
        ),
        with_number(
            fr_number(int(after.get("tokens", 0))), int(after.get("tokens", 0)), "jetons d'API"
        ),
    ]
    return f"Purge des données personnelles : {', '.join(parts[:-1])} et {parts[-1]} supprimés"


def _campaign(event: Event, words: ContractWords, before: Snapshot, after: Snapshot) -> str:
    """« Campagne de saisie n°3, octobre 2026 : échéance le 15/11/2026, 14 sujets (création) »."""
    snapshot = after or before
    text = f"Campagne de saisie n°{event.entity_id}, {_period(str(snapshot.get('period', '')))}"
    if event.action == "create":
        count = snapshot.get("subjects") or 0
        text += (
            f" : échéance le {_shown(snapshot.get('due_on'))},"
            f" {count} sujet{'s' if count > 1 else ''}"
        )
    return f"{text} {_how(event)}"


def _campaign_reminder(
    event: Event, words: ContractWords, before: Snapshot, after: Snapshot
) -> str:
    """« Relance de la campagne de saisie n°3 à « mdupont » : 2 valeurs (avant l'échéance,
    envoi) »."""
    count = after.get("subjects") or 0
    kind = _label(REMINDER_KIND, after.get("kind"))
    text = (
        f"Relance de la campagne de saisie n°{after.get('campaign', '?')} à "
        f"« {after.get('recipient', event.entity_id)} » : {count} valeur{'s' if count > 1 else ''}"
    )
    return f"{text} {_aside(kind, _label(AUDIT_ACTION, event.action), _origin(event.context))}"


def _other(event: Event, words: ContractWords, before: Snapshot, after: Snapshot) -> str:
    what = capitalised(_label(AUDIT_ENTITY, event.entity_type))
    return f"{what} {event.entity_id} {_how(event)}"


Writer = Callable[[Event, ContractWords, Snapshot, Snapshot], str]
_WRITERS: dict[str, Writer] = {
    "measurement": _measurement,
    "period_lock": _period_lock,
    "retention": _retention,
    "target": _target,
    "contract_version": _contract_version,
    "action_state": _action_state,
    "action_milestone": _action_milestone,
    "action_update": _action_update,
    "analysis": _analysis,
    "import_batch": _import_batch,
    "opendata_value": _open_data_value,
    "api_token": _api_token,
    "user_account": _user_account,
    "demo_data": _demo_data,
    "campaign": _campaign,
    "campaign_reminder": _campaign_reminder,
}


# --- pieces ---------------------------------------------------------------------------------


def _subject_key(entity_id: str) -> tuple[str, str, str]:
    """``indicator:cog-08-32:2026-11`` → subject type, subject id, period key."""
    subject_type, _, rest = entity_id.partition(":")
    subject_id, _, period_key = rest.partition(":")
    return subject_type, subject_id, period_key


def _label(labels: Mapping[str, str], key: object) -> str:
    """The vocabulary's word for a stored key; an unknown key as stored, nothing for none."""
    if key in (None, ""):
        return ""
    return labels.get(str(key), str(key))


def _number(value: object) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _values(before: Snapshot, after: Snapshot, unit: str | None, *, signed: bool = False) -> str:
    """« 42 places », « 19,36 → 13,5 jours »; a change always signed: « −3 → −5 % »."""
    old, new = _number(before.get("value")), _number(after.get("value"))
    if new is None:
        return "valeur supprimée" if old is not None else "—"
    if signed:
        shown = with_number(fr_signed(new), float(new), unit)
        return shown if old is None or old == new else f"{fr_signed(old)} → {shown}"
    if old is None or old == new:
        return quantity_text(new, unit)
    return change_text(old, new, unit)


def _period(key: str) -> str:
    try:
        return str(parse_period(key))
    except PeriodError:
        return key or "période inconnue"


def _origin(context: str) -> str:
    return CONTEXTS.get(context, context)


def _value_origin(context: str, source: object) -> str:
    """« saisie », « API », « import valeurs-2025.xlsx »: the audit keeps a file's name, or the
    source when no file was read."""
    if context in VALUE_SOURCE:
        return VALUE_SOURCE[context]
    if context and source == "import":
        return f"import {context}"
    return _origin(context) or _label(VALUE_SOURCE, source)


def _how(event: Event) -> str:
    """« (création, page de l'action) »: what the write did, and where it came from."""
    return _aside(_label(AUDIT_ACTION, event.action), _origin(event.context))


def _aside(*parts: str) -> str:
    """The details of a sentence, in brackets: « (révision, saisie) »; empty parts left out."""
    kept = [p for p in parts if p]
    return f"({', '.join(kept)})" if kept else ""


def _cut(text: str, limit: int = MAX_QUOTED) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _shown(value: object, key: str = "") -> str:
    """A snapshot value the French way: 27/11/2026, 40 %, « en cours »; « — » for none."""
    if value is None or value == "":
        return "—"
    if key == "progress" and isinstance(value, int | float):
        return quantity_text(value, "%")
    if key == "status":
        return _label(ACTION_STATUS, value)
    text = str(value)
    try:
        return fr_date(date.fromisoformat(text)) if len(text) == 10 else text
    except ValueError:
        return text
