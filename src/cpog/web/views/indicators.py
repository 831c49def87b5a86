"""Indicateurs: the list by family, and the page of one indicator or one measure of a targeted
result. The contexts (:mod:`cpog.contexts.indicators`, :mod:`cpog.contexts.subject`) hold what
the pages show; this module checks permissions, adds the forms (enter a value, write an
analysis) and hands the writes to the store's services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages.storage.base import Message
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse

from cpog.assess.wording import of_text
from cpog.contexts.indicators import FILTERS, indicators_context
from cpog.contexts.situation import OFF_TRACK, Situation
from cpog.contexts.subject import Found, find_subject, subject_context
from cpog.formatting import fr_number
from cpog.ingest.value_rule import Subject as ValueSubject
from cpog.ingest.value_rule import plain_key, subjects_of
from cpog.steering import StatusRow
from cpog.store import period_locks
from cpog.store.analyses import record_analysis
from cpog.store.imports import StoredSeries
from cpog.store.models import Measurement
from cpog.store.period_locks import FrozenYearRefused
from cpog.store.reader import StoreReader
from cpog.store.values import enter_value
from cpog.vocabulary import STATUS, VALUE_STATUS
from cpog.web import roles
from cpog.web.forms import AnalysisForm, ValueForm
from cpog.web.page_cache import cached_page
from cpog.web.views.common import page, steering
from cpog.web.views.territory import (
    UnknownTerritory,
    banner,
    by_territory_section,
    scoped_steering,
    unknown_territory,
)

# --- the list --------------------------------------------------------------------------------


def _partial(request: HttpRequest) -> bool:
    """An HTMX request that swaps part of the page (a history restore wants the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not getattr(htmx, "history_restore_request", False)


@login_required
@cached_page
def indicator_list(request: HttpRequest) -> HttpResponse:
    filters = {name: request.GET.get(name, "") for name in FILTERS}
    try:
        situation = scoped_steering(request)
    except UnknownTerritory as error:
        return unknown_territory(request, error)
    ctx = indicators_context(situation, **filters)
    if _partial(request):
        return render(request, "web/partials/subject_list_table.html", {"ctx": ctx, "oob": True})
    return page(
        request,
        "web/indicators.html",
        "indicators",
        "Indicateurs",
        record=ctx,
        ctx=ctx,
        territory=banner(request, situation),
    )


# --- one indicator or measure ----------------------------------------------------------------


def subject_url(subject_type: str, subject_id: str) -> str:
    name = "indicator" if subject_type == "indicator" else "measure"
    return reverse(name, args=[subject_id])


def _value_form(data: Situation, found: Found, post: QueryDict | None = None) -> ValueForm:
    """The entry form of the subject, checked by the value rule of every door; its period is
    the latest one expected to date (the one a pilot usually comes to enter)."""
    subject: ValueSubject = subjects_of(data.contract)[plain_key(found.subject_id)]
    initial: dict[str, object] = {"statut": Measurement.Status.PROVISIONAL}
    row = data.row(found.subject_type, found.subject_id)
    if row is not None and row.assessment.freshness.expected_period is not None:
        initial["periode"] = str(row.assessment.freshness.expected_period)
    return ValueForm(
        post,
        subject=subject,
        today=data.as_of,
        series=StoredSeries(data.contract) if post is not None else None,
        frozen_years=bool(period_locks.frozen_years(data.contract.id)),
        initial=initial,
    )


def _analysis_form(row: StatusRow, data: Situation, post: QueryDict | None = None) -> AnalysisForm:
    a = row.assessment
    period = a.current.period if a.current is not None else a.freshness.expected_period
    return AnalysisForm(
        post,
        today=data.as_of,
        off_track=a.status in OFF_TRACK,
        status_label=STATUS[a.status],
        initial={"periode": str(period)},
    )


def _fresh_steering(request: HttpRequest) -> Situation:
    """The status again, after a write: the cached one of this request is stale."""
    if hasattr(request, "_cpog_steering"):
        delattr(request, "_cpog_steering")
    return steering(request)


def _record_value(request: HttpRequest, data: Situation, found: Found, form: ValueForm) -> str:
    """Write the form's value; "" (and the form's error) when the lock of a frozen year refuses
    it without a motif."""
    entry = form.entry
    try:
        written = enter_value(
            data.contract.id,
            data.scope,
            found.subject_type,
            found.subject_id,
            entry,
            user=request.user.get_username(),
            motif=form.cleaned_data.get("motif", ""),
        )
    except FrozenYearRefused as refused:
        lock = refused.refused[0][1]
        form.add_error(
            "motif" if "motif" in form.fields else None,  # frozen while the page was open
            f"Motif de la modification : obligatoire, {entry.period} appartient à l'année figée"
            f" {lock.year} ({lock.text}). Rien n'a été enregistré.",
        )
        return ""
    status_label = VALUE_STATUS[entry.status]
    if not written:
        return (
            f"Valeur identique à la valeur en vigueur pour {entry.period} ({status_label}) :"
            " rien n'a été enregistré."
        )
    return f"Valeur enregistrée : {fr_number(entry.value)} pour {entry.period} ({status_label})."


def _record_analysis(
    request: HttpRequest, data: Situation, found: Found, form: AnalysisForm
) -> str:
    period = form.cleaned_data["periode"]
    record_analysis(
        data.contract.id,
        found.subject_type,
        found.subject_id,
        period,
        analysis=form.cleaned_data["analyse"],
        risks=form.cleaned_data["risques"],
        corrective_action=form.cleaned_data["action_corrective"],
        user=request.user.get_username(),
    )
    return f"Analyse {of_text(str(period))} enregistrée."


# A confirmation after a write is shown next to the form that made it, not at the top of the page
# (out of sight): the message carries which form, and the page takes it from the message list.
NOTICE_TAGS = {"value": "saisie-valeur", "analysis": "saisie-analyse"}
NOTICE_ANCHORS = {"value": "confirmation-saisie", "analysis": "confirmation-analyse"}


def _taken_notice(request: HttpRequest) -> tuple[str, str, list[Message]]:
    """The confirmation of this page's last write (its text and its form), and the other
    messages, which the page shows at the top as usual."""
    notice, notice_for, others = "", "", []
    for message in messages.get_messages(request):
        form = next((f for f, tag in NOTICE_TAGS.items() if tag in message.extra_tags), "")
        if form and not notice:
            notice, notice_for = message.message, form
        else:
            others.append(message)
    return notice, notice_for, others


def _page_number(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        return 1


def _error(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    return render(request, "web/error.html", {"title": title, "message": message}, status=status)


def subject_view(request: HttpRequest, subject_type: str, subject_id: str) -> HttpResponse:
    try:
        data = scoped_steering(request)
    except UnknownTerritory as error:
        return unknown_territory(request, error)
    found = find_subject(data.contract, subject_type, subject_id)
    section = "indicators" if subject_type == "indicator" else "challenges"
    if found is None or data.row(subject_type, subject_id) is None:
        what = "Indicateur" if subject_type == "indicator" else "Mesure de résultat visé"
        where = "dans le contrat"
        if found is not None and data.territory is not None:
            where = f"avec une valeur pour {data.territory.name} ({data.territory.code})"
        return _error(
            request,
            "Page introuvable",
            f"{what} introuvable {where} : « {subject_id} ».",
            404,
        )
    # A territory's page shows its figures; values and analyses are entered for the caisse.
    can_write = data.territory is None and roles.can_write_subject(
        request.user, data.contract, subject_type, subject_id
    )
    value_form: ValueForm | None = None
    analysis_form: AnalysisForm | None = None
    notice = notice_for = ""
    other_messages = None
    status = 200
    if request.method == "POST":
        roles.require(can_write, f"saisir les valeurs ni les analyses de « {found.code} »")
        row = data.row(subject_type, subject_id)
        assert row is not None
        action = request.POST.get("action", "")
        notice_for = action
        if action == "value":
            value_form = _value_form(data, found, request.POST)
            if value_form.is_valid() and value_form.to_confirm:
                notice = ""  # second step: the form shows what to confirm, nothing is written
            elif value_form.is_valid():
                notice = _record_value(request, data, found, value_form)
                if notice:
                    value_form = None
        elif action == "analysis":
            analysis_form = _analysis_form(row, data, request.POST)
            if analysis_form.is_valid():
                notice = _record_analysis(request, data, found, analysis_form)
                analysis_form = None
        else:
            return _error(
                request, "Requête invalide", "Formulaire inconnu : rien n'a été enregistré.", 400
            )
        if notice:
            data = _fresh_steering(request)
            row = data.row(subject_type, subject_id)
            assert row is not None
            notice += f" Statut : {STATUS[row.assessment.status]}."
            if not _partial(request):
                messages.success(request, notice, extra_tags=NOTICE_TAGS[action])
                url = subject_url(subject_type, subject_id)
                return redirect(f"{url}#{NOTICE_ANCHORS[action]}")
        elif value_form is None or not value_form.to_confirm:
            status = 400
    else:
        notice, notice_for, other_messages = _taken_notice(request)
    page_number = _page_number(request) if request.method == "GET" else 1
    ctx = subject_context(data, StoreReader(), subject_type, subject_id, page=page_number)
    assert ctx is not None
    if can_write:
        row = data.row(subject_type, subject_id)
        assert row is not None
        if ctx.values_from is None:
            value_form = value_form or _value_form(data, found)
        analysis_form = analysis_form or _analysis_form(row, data)
    else:
        value_form = analysis_form = None
    extra = {
        "url": subject_url(subject_type, subject_id),
        "chart_id": f"chart-{subject_id}",
        "can_write": can_write,
        "value_form": value_form,
        "analysis_form": analysis_form,
        "notice": notice,
        "notice_for": notice_for,
        "territory": banner(request, data),
        "by_territory": by_territory_section(data, subject_type, subject_id),
    }
    if other_messages is not None:
        extra["messages"] = other_messages
    if request.method == "POST" and _partial(request):
        return render(
            request,
            "web/partials/subject_status.html",
            {"ctx": ctx, "today": data.as_of, **extra},
            status=status,
        )
    response = page(request, "web/subject.html", section, ctx.heading, record=ctx, ctx=ctx, **extra)
    response.status_code = status
    return response


@login_required
@cached_page
def indicator_page(request: HttpRequest, subject_id: str) -> HttpResponse:
    return subject_view(request, "indicator", subject_id)


@login_required
@cached_page
def measure_page(request: HttpRequest, subject_id: str) -> HttpResponse:
    return subject_view(request, "measure", subject_id)
