"""Forms of the indicator and measure pages: entering a value, writing an analysis.

Every error message is French and names the field and the value it refuses, e.g.
« Période non reconnue : « 13/2025 ». Le mois doit être compris entre 1 et 12 (reçu : 13). »
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from cpog.contract.model import Cumulation, MeasureKind
from cpog.formatting import fr_date
from cpog.ingest.numbers import NumberError, parse_number
from cpog.ingest.tables import storable_problem
from cpog.periods import Period, PeriodError, PeriodUnit, parse_period
from cpog.store.models import Measurement

UNIT_WORDS = {
    PeriodUnit.YEAR: ("par année", "une année", "2025"),
    PeriodUnit.HALF: ("par semestre", "un semestre", "S1 2025"),
    PeriodUnit.QUARTER: ("par trimestre", "un trimestre", "T1 2025"),
    PeriodUnit.MONTH: ("par mois", "un mois", "mars 2025"),
}


@dataclass(frozen=True)
class ValueRules:
    """What a value of one subject must look like."""

    unit: PeriodUnit  # the grain of the subject's periods
    today: date
    cumulation: Cumulation = Cumulation.NONE
    measure_kind: MeasureKind | None = None
    noun: str = "cet indicateur"  # « cet indicateur », « cette mesure »


def _shown(text: str) -> str:
    return " ".join(text.split())


def read_period(text: str, rules: ValueRules) -> Period:
    """The period typed, checked against the subject's grain and today's date."""
    period = parse_period(text)  # PeriodError: « Période non reconnue : « … ». … »
    shown = _shown(text)
    if period.to_date:
        if rules.cumulation != Cumulation.YEAR_TO_DATE:
            raise PeriodError(
                f"Période « {shown} » : les valeurs de {rules.noun} ne sont pas cumulées depuis le"
                " 1er janvier ;"
                f" saisissez la période elle-même, par exemple « {UNIT_WORDS[rules.unit][2]} »."
            )
        # The values of a year-to-date indicator are cumulated already: « cumul à fin mars
        # 2025 » is its value of « mars 2025 ».
        period = Period(period.unit, period.year, period.index)
    if period.unit != rules.unit:
        per, one, example = UNIT_WORDS[rules.unit]
        raise PeriodError(
            f"Période « {shown} » : les valeurs de {rules.noun} se saisissent {per} ;"
            f" saisissez {one}, par exemple « {example} »."
        )
    if period.end > rules.today:
        raise PeriodError(
            f"Période « {shown} » : cette période n'est pas terminée au {fr_date(rules.today)} ;"
            " seule une période close peut recevoir une valeur."
        )
    return period


def read_value(text: str, rules: ValueRules) -> Decimal:
    shown = _shown(text)
    try:
        value = parse_number(text)
    except NumberError as error:
        if not shown:
            raise forms.ValidationError("Valeur : la valeur est vide.") from None
        raise forms.ValidationError(f"Valeur « {shown} » non reconnue : {error.reason}.") from None
    if problem := storable_problem(value):
        raise forms.ValidationError(f"Valeur « {shown} » : {problem}.")
    if rules.measure_kind == MeasureKind.MILESTONE and not Decimal(0) <= value <= Decimal(100):
        raise forms.ValidationError(
            f"Valeur « {shown} » : un jalon s'exprime en % réalisé, de 0 à 100."
        )
    return value


class ValueForm(forms.Form):
    """A value of an indicator or a measure for one period."""

    periode = forms.CharField(
        label="Période",
        max_length=60,
        help_text="Par exemple « mars 2025 », « T1 2025 » ou « 2025 ».",
        error_messages={"required": "Période : la période est obligatoire."},
    )
    valeur = forms.CharField(
        label="Valeur",
        max_length=60,
        help_text="Nombre à la française, par exemple « 93,5 » ou « 1\u202f234 ».",
        error_messages={"required": "Valeur : la valeur est obligatoire."},
    )
    statut = forms.ChoiceField(
        label="Statut de la valeur",
        choices=Measurement.Status.choices,
        initial=Measurement.Status.PROVISIONAL,
        error_messages={
            "required": "Statut : le statut est obligatoire.",
            "invalid_choice": "Statut « %(value)s » non permis (provisoire ou définitive).",
        },
    )
    commentaire = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Commentaire : 2 000 caractères au plus."},
    )

    def __init__(self, *args: Any, rules: ValueRules, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "valeur-%s")
        super().__init__(*args, **kwargs)
        self.rules = rules
        per, one, example = UNIT_WORDS[rules.unit]
        self.fields[
            "periode"
        ].help_text = f"Saisie {per} : {one}, par exemple « {example} ». Période close uniquement."
        self.fields["periode"].widget.attrs.update({"autocomplete": "off"})
        self.fields["valeur"].widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean_periode(self) -> Period:
        try:
            return read_period(self.cleaned_data["periode"], self.rules)
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_valeur(self) -> Decimal:
        return read_value(self.cleaned_data["valeur"], self.rules)


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
            period = parse_period(text)
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
