"""Forms of the indicator and measure pages: entering a value, writing an analysis.

Every error message is French and names the field and the value it refuses, e.g.
« Période non reconnue : « 13/2025 ». Le mois doit être compris entre 1 et 12 (reçu : 13). »
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from cpog.formatting import fr_date
from cpog.ingest.value_rule import (
    STATUS_WORDS,
    Cell,
    Entry,
    RawEntry,
    SeriesSource,
    Subject,
    check_values,
)
from cpog.periods import Period, PeriodError, parse_period
from cpog.store.models import Measurement

# The rule's fields (the import files' columns) → this form's fields and labels.
FIELDS = {
    "période": ("periode", "Période"),
    "valeur": ("valeur", "Valeur"),
    "numérateur": ("numerateur", "Numérateur"),
    "dénominateur": ("denominateur", "Dénominateur"),
    "statut": ("statut", "Statut"),
}


def _shown(text: str) -> str:
    return " ".join(text.split())


class ValueForm(forms.Form):
    """A value of an indicator or a measure for one period, checked by the value rule of every
    door (:mod:`cpog.ingest.value_rule`). A value to confirm (a rate written as a fraction, a
    value far from its series) takes a second step: the form comes back with what the rule
    found, and the value is written when the user confirms that very input."""

    periode = forms.CharField(label="Période", max_length=60, required=False)
    valeur = forms.CharField(
        label="Valeur",
        max_length=60,
        required=False,
        help_text="Nombre à la française, par exemple « 93,5 » ou « 1\u202f234 ».",
    )
    numerateur = forms.CharField(
        label="Numérateur",
        max_length=60,
        required=False,
        help_text="Facultatif ; avec le dénominateur, la valeur est vérifiée, ou calculée si elle"
        " est vide.",
    )
    denominateur = forms.CharField(label="Dénominateur", max_length=60, required=False)
    statut = forms.ChoiceField(
        label="Statut de la valeur",
        choices=Measurement.Status.choices,
        initial=Measurement.Status.PROVISIONAL,
        error_messages={
            "required": "Statut : le statut est obligatoire.",
            "invalid_choice": f"Statut « %(value)s » : valeur non permise ({STATUS_WORDS}).",
        },
    )
    commentaire = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Commentaire : 2 000 caractères au plus."},
    )
    motif = forms.CharField(
        label="Motif de la modification",
        required=False,
        max_length=1000,
        help_text="Obligatoire seulement pour une valeur d'une année dont la revue annuelle est"
        " figée ; gardé avec la valeur et dans l'historique.",
        error_messages={"max_length": "Motif de la modification : 1 000 caractères au plus."},
    )
    confirmer = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        subject: Subject,
        today: date,
        series: SeriesSource | None = None,
        frozen_years: bool = True,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", "valeur-%s")
        super().__init__(*args, **kwargs)
        if not frozen_years:  # no frozen review: no motif to ask, a shorter form (decision 027)
            del self.fields["motif"]
        self.subject = subject
        self.today = today
        self.series = series
        self.to_confirm: list[str] = []
        self.fields["periode"].help_text = f"{subject.accepted_periods}. Période close uniquement."
        self.fields["periode"].widget.attrs.update({"autocomplete": "off"})
        for name in ("valeur", "numerateur", "denominateur"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def _typed(self) -> str:
        """What the user typed, so that a confirmation applies to that input only."""
        data = self.cleaned_data
        return "|".join(
            _shown(str(data.get(name, "")))
            for name in ("periode", "valeur", "numerateur", "denominateur")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        raw = RawEntry(
            data.get("periode", ""),
            Cell(data.get("valeur", "")),
            Cell(data.get("numerateur", "")),
            Cell(data.get("denominateur", "")),
            data.get("statut", ""),
            data.get("commentaire", ""),
        )
        [(entry, problems)] = check_values([(self.subject, raw)], self.today, self.series)
        for problem in problems:
            name, label = FIELDS.get(problem.field, ("", ""))
            typed = _shown(str(data.get(name, ""))) if name else ""
            if problem.message[:1].isupper():  # a full sentence quoting the value already
                message = problem.message
            elif typed:
                message = f"{label} « {typed} » : {problem.message}."
            elif label:
                message = f"{label} : {problem.message}."
            else:
                message = f"{problem.message}."
            self.add_error(name or None, message)
        if entry is not None:
            data["entry"] = entry
            if entry.to_confirm and data.get("confirmer") != self._typed():
                self.to_confirm = entry.to_confirm
        return data

    @property
    def confirmation_key(self) -> str:
        return self._typed()

    @property
    def entry(self) -> Entry:
        entry: Entry = self.cleaned_data["entry"]
        return entry


class AnalysisForm(forms.Form):
    """The pilot's reading of a period: analysis, risks, corrective action."""

    periode = forms.CharField(
        label="Période analysée",
        max_length=60,
        error_messages={"required": "Période : la période est obligatoire."},
    )
    analyse = forms.CharField(
        label="Analyse",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Analyse : l'analyse est obligatoire.",
            "max_length": "Analyse : 5 000 caractères au plus.",
        },
    )
    risques = forms.CharField(
        label="Risques",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Risques : 5 000 caractères au plus."},
    )
    action_corrective = forms.CharField(
        label="Action corrective",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Action corrective : 5 000 caractères au plus."},
    )

    def __init__(
        self, *args: Any, today: date, off_track: bool, status_label: str = "", **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", "analyse-%s")
        super().__init__(*args, **kwargs)
        self.today = today
        self.off_track = off_track
        self.status_label = status_label
        self.fields[
            "periode"
        ].help_text = (
            "Par défaut, la période de la dernière valeur (« mars 2025 », « T1 2025 », « 2025 »)."
        )
        if off_track:
            self.fields[
                "action_corrective"
            ].help_text = f"Obligatoire : le sujet est « {status_label.lower()} »."
            self.fields["action_corrective"].widget.attrs["aria-required"] = "true"

    def clean_periode(self) -> Period:
        text = self.cleaned_data["periode"]
        try:
            period: Period = parse_period(text)
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from None
        if period.start > self.today:
            raise forms.ValidationError(
                f"Période « {_shown(text)} » : cette période n'a pas commencé au"
                f" {fr_date(self.today)}."
            )
        return period

    def clean_analyse(self) -> str:
        text = str(self.cleaned_data["analyse"]).strip()
        if not text:
            raise forms.ValidationError("Analyse : l'analyse est obligatoire.")
        return text

    def clean_action_corrective(self) -> str:
        text = str(self.cleaned_data.get("action_corrective", "")).strip()
        if self.off_track and not text:
            raise forms.ValidationError(
                f"Action corrective : obligatoire, le sujet est « {self.status_label.lower()} »."
            )
        return text
