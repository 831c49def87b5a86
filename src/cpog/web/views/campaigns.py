"""« Campagnes de saisie » (decision 026): the list of the caisse's campaigns, the form that opens
one, and a campaign's page — who owes which value, entered or not, late or not (the dashboard's
definition), the last reminder — with « Relancer maintenant » and « Clore ». For those who steer:
the contrôle de gestion and the administrators. The context is :mod:`cpog.contexts.campaigns`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cpog import clock
from cpog.contexts.campaigns import CampaignError, title_of
from cpog.formatting import fr_date
from cpog.store import campaigns as store
from cpog.store.roles import Role, role_of
from cpog.web import mail
from cpog.web.campaign_forms import CampaignOpenForm
from cpog.web.campaigns import context_of, open_campaign, plan, send_reminders
from cpog.web.roles import require
from cpog.web.scoping import request_caisse
from cpog.web.views.common import page, steering


def can_steer(user: object) -> bool:
    """Campaigns are run by the contrôle de gestion and the administrators."""
    return role_of(user) in (Role.ADMIN, Role.CONTROLE)


def _who(request: HttpRequest) -> str:
    return str(request.user.get_username())


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def campaign_list(request: HttpRequest) -> HttpResponse:
    """The caisse's campaigns, and the form that opens one (POST: the same rules as
    ``cpog campagne ouvrir``; a refusal re-shows the form with its French message, 400)."""
    require(can_steer(request.user), "voir les campagnes de saisie")
    caisse = request_caisse(request)
    today = clock.today()
    form = CampaignOpenForm(request.POST if request.method == "POST" else None, today=today)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                opened = open_campaign(
                    caisse,
                    data["periode"],
                    data["echeance"],
                    data["ouverture"],
                    form.subject_names(),
                    _who(request),
                )
            except CampaignError as error:
                form.add_error(None, str(error))
            else:
                ctx = context_of(opened)
                messages.success(
                    request,
                    f"{ctx.title} ouverte : du {fr_date(opened.opens_on)} au "
                    f"{fr_date(opened.due_on)}, {ctx.totals.text}.",
                )
                return redirect(f"{reverse('campaign', args=[opened.id])}?caisse={caisse}")
        status = 400
    found = steering(request)  # the caisse's situation today, as the dashboard's
    rows = [(c, context_of(c, found)) for c in store.campaigns(caisse)]
    response = page(
        request, "web/campaigns.html", "campaigns", "Campagnes de saisie", rows=rows, form=form
    )
    response.status_code = status
    return response


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def campaign_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    require(can_steer(request.user), "suivre les campagnes de saisie")
    caisse = request_caisse(request)
    try:
        campaign = store.campaign(campaign_id, caisse)
    except store.UnknownCampaign as error:
        raise Http404(str(error)) from None
    if request.method == "POST":
        operation = request.POST.get("operation", "")
        if operation == "relancer":
            if not campaign.is_open:
                messages.error(request, "Campagne close : aucune relance.")
            else:
                try:
                    outcome = send_reminders(campaign, _who(request), now=True)
                except (mail.MailOff, OSError) as error:
                    messages.error(request, f"Aucune relance envoyée : {error}")
                else:
                    n = len(outcome.sent)
                    messages.success(
                        request,
                        f"{n} relance{'s' if n > 1 else ''} envoyée{'s' if n > 1 else ''}."
                        if n
                        else "Aucune relance envoyée : chaque pilote concerné a déjà été relancé "
                        "aujourd'hui, a tout saisi ou n'a pas d'adresse électronique.",
                    )
        elif operation == "clore":
            try:
                store.close_campaign(campaign.id, caisse, _who(request), clock.today())
            except store.CampaignClosed as error:
                messages.error(request, str(error))
            else:
                messages.success(request, f"{title_of(campaign)} close.")
        else:
            return HttpResponse(
                "Opération inconnue : « relancer » ou « clore » attendu.", status=400
            )
        return redirect(f"{request.path}?caisse={caisse}")
    ctx, due = plan(campaign, now=True, found=steering(request))
    if not campaign.is_open:
        due = []
    return page(
        request,
        "web/campaign.html",
        "campaigns",
        ctx.title,
        ctx=ctx,
        can_send=mail.sending_enabled(),
        ready=len(due),
    )
