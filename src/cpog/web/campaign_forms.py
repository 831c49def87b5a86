"""The form that opens a reporting campaign from « Campagnes de saisie » (decision 026): the same
fields, words and rules as ``cpog campagne ouvrir`` — a period written as everywhere in cpog, a
due date in JJ/MM/AAAA, an optional opening date and optional subjects; the checks on the
period, dates and subjects are :mod:`cpog.contexts.campaigns`'s, shared by both doors."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from cpog.contexts.campaigns import CampaignError, campaign_period, subject_names
from cpog.periods import Period, PeriodUnit
from cpog.web.action_forms import FrenchDateField, FrenchForm

PERIOD_HELP = (
    "Un mois (octobre 2026 ou 2026-10), un trimestre (T3 2026) ou une année (2026) : la période "
    "dont les valeurs sont attendues."
)


def last_ended_month(today: date) -> Period:
    """The month before today's: the period a campaign is most often opened for."""
    return Period.containing(today, PeriodUnit.MONTH).previous()


class CampaignOpenForm(FrenchForm):
    periode = forms.CharField(label="Période", max_length=40, help_text=PERIOD_HELP)
    echeance = FrenchDateField(
        label="Échéance de saisie",
        help_text="JJ/MM/AAAA, après la fin de la période : les pilotes sont relancés avant et "
        "après cette date.",
    )
    ouverture = FrenchDateField(
        label="Ouverture", required=False, help_text="JJ/MM/AAAA ; par défaut aujourd'hui."
    )
    sujets = forms.CharField(
        label="Sujets",
        required=False,
        max_length=2000,
        help_text="Codes séparés par des virgules (COG 08-29, COG 12-49) ; laissé vide, tous "
        "ceux dont une valeur est attendue pour la période.",
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["periode"].initial = str(last_ended_month(today))

    def clean_periode(self) -> Period:
        try:
            return campaign_period(self.cleaned_data["periode"])
        except CampaignError as error:
            raise ValidationError(str(error), code="invalid_period") from None

    def subject_names(self) -> list[str]:
        return subject_names(self.cleaned_data.get("sujets"))
