"""Forms of the action pages (and the French date field the other pages' filters share).

Dates are typed the French way, JJ/MM/AAAA (ISO 2026-11-27 is accepted too); every error names
the field and the value typed, in French.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from cpog.contexts.reader import ActionRecord
from cpog.formatting import fr_date
from cpog.ingest.numbers import DateError, parse_date
from cpog.store.models import ActionState

DATE_HELP = "JJ/MM/AAAA, par exemple 27/11/2026."
NO_OWNER = "-"


class FrenchDateField(forms.CharField):
    """A date typed as JJ/MM/AAAA; cleans to a :class:`date` or ``None`` when left blank."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", DATE_HELP)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "off", "placeholder": "JJ/MM/AAAA"}
        )

    def clean(self, value: Any) -> date | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_date(text)
        except DateError as error:
            raise ValidationError(f"{self.label} : {error}", code="invalid_date") from None


class PercentField(forms.CharField):
    """A whole percentage from 0 to 100 (« 45 », « 45 % »)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            return None
        cleaned = text.replace("%", "").replace("\u00a0", "").replace(" ", "")
        try:
            number = int(cleaned)
        except ValueError:
            raise ValidationError(
                f"{self.label} : « {text} » n'est pas un nombre entier (de 0 à 100).",
                code="invalid",
            ) from None
        if not 0 <= number <= 100:
            raise ValidationError(
                f"{self.label} : « {text} » doit être compris entre 0 et 100\u00a0%.",
                code="out_of_range",
            )
        return number


def _text(value: date | None) -> str:
    return fr_date(value) if value else ""


class FrenchForm(forms.Form):
    """A form whose generic messages name the field: « Statut : champ obligatoire. »."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.error_messages["required"] = f"{f.label} : champ obligatoire."
            if "invalid_choice" in f.error_messages:
                f.error_messages["invalid_choice"] = (
                    f"{f.label} : « %(value)s » ne fait pas partie des choix proposés."
                )


class ActionUpdateForm(FrenchForm):
    """What a pilot may change on an action: its state, a new milestone, a dated comment."""

    status = forms.ChoiceField(label="Statut", choices=ActionState.Status.choices)
    progress = PercentField(
        label="Avancement", help_text="En pourcentage : nombre entier de 0 à 100."
    )
    owner = forms.CharField(
        label="Responsable",
        max_length=150,
        required=False,
        help_text="Nom de la personne ou du service qui porte l'action.",
    )
    start_date = FrenchDateField(label="Date de début", required=False)
    due_date = FrenchDateField(label="Échéance", required=False)
    milestone_label = forms.CharField(
        label="Nouveau jalon : libellé",
        max_length=300,
        required=False,
        help_text="Facultatif. Un jalon a toujours une échéance.",
    )
    milestone_due = FrenchDateField(label="Nouveau jalon : échéance", required=False)
    comment_on = FrenchDateField(
        label="Date du point d'avancement",
        required=False,
        help_text="JJ/MM/AAAA ; la date du jour si elle est laissée vide.",
    )
    comment = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Facultatif : ce qui a été fait, les difficultés, la suite.",
    )
    # The action's version this form was shown with (optimistic locking, cpog.store.actions).
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            self.add_error(
                "due_date",
                f"Échéance : le {fr_date(due)} est antérieur à la date de début "
                f"({fr_date(start)}).",
            )
        label = (data.get("milestone_label") or "").strip()
        milestone_due = data.get("milestone_due")
        if label and milestone_due is None and "milestone_due" not in self.errors:
            self.add_error(
                "milestone_due",
                f"Nouveau jalon : échéance : obligatoire pour le jalon « {label} ».",
            )
        if milestone_due is not None and not label:
            self.add_error(
                "milestone_label",
                f"Nouveau jalon : libellé : obligatoire pour le jalon du {fr_date(milestone_due)}.",
            )
        if data.get("comment_on") is not None and not (data.get("comment") or "").strip():
            self.add_error(
                "comment",
                "Commentaire : obligatoire quand la date du point d'avancement est donnée.",
            )
        return data

    @classmethod
    def for_state(cls, state: ActionState | ActionRecord | None) -> ActionUpdateForm:
        """An unbound form showing the current state."""
        if state is None:
            return cls(
                initial={"status": ActionState.Status.NOT_STARTED, "progress": 0, "version": 0}
            )
        return cls(
            initial={
                "version": state.version,
                "owner": state.owner,
                "start_date": _text(state.start_date),
                "due_date": _text(state.due_date),
                "status": state.status,
                "progress": state.progress,
            }
        )


class ActionFilterForm(FrenchForm):
    """The filters of the action list (GET parameters in French)."""

    defi = forms.TypedChoiceField(label="Défi", required=False, coerce=int, empty_value=None)
    statut = forms.ChoiceField(
        label="Statut", required=False, choices=[("", "Tous"), *ActionState.Status.choices]
    )
    responsable = forms.ChoiceField(label="Responsable", required=False)
    echeance = FrenchDateField(
        label="Échéance au plus tard le",
        required=False,
        help_text="JJ/MM/AAAA : les actions dont l'échéance tombe ce jour-là ou avant.",
    )

    def __init__(
        self, data: Any, challenges: list[tuple[int, str]], owners: list[str], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        defi = self.fields["defi"]
        assert isinstance(defi, forms.TypedChoiceField)
        defi.choices = [("", "Tous")] + [(str(n), f"n°{n} — {t}") for n, t in challenges]
        responsable = self.fields["responsable"]
        assert isinstance(responsable, forms.ChoiceField)
        responsable.choices = [("", "Tous"), (NO_OWNER, "Sans responsable")] + [
            (o, o) for o in owners
        ]
