from django.contrib import admin
from django.templatetags.static import static
from django.urls import path, re_path
from django.views.generic import RedirectView

from cpog.web import password_reset, sso
from cpog.web.api import api
from cpog.web.views import (
    accounts,
    actions,
    campaigns,
    challenges,
    computations,
    contract,
    dashboard,
    exports,
    health,
    history,
    imports,
    indicators,
    network,
    opendata,
    reports,
    territory_map,
    tokens,
)
from cpog.web.views.theme import theme

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("theme.css", theme, name="theme"),
    # browsers ask /favicon.ico whatever the page says: the SVG icon (issue 10)
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("cpog/favicon.svg"), permanent=True),
        name="favicon",
    ),
    # for a supervisor: no login, no caisse, never cached (decision 024)
    re_path(r"^sante/?$", health.health, name="health"),
    # « Mot de passe oublié ? » (decision 026)
    path("mot-de-passe-oublie/", password_reset.ResetView.as_view(), name="password_reset"),
    path(
        "mot-de-passe-oublie/envoye/",
        password_reset.ResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reinitialiser/<uidb64>/<token>/",
        password_reset.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reinitialiser/termine/",
        password_reset.ResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("connexion/", sso.CpogLoginView.as_view(), name="login"),
    path("connexion/annuaire/", sso.SsoStart.as_view(), name="oidc-start"),
    path("connexion/annuaire/retour/", sso.SsoCallback.as_view(), name="oidc-callback"),
    path("deconnexion/", sso.CpogLogoutView.as_view(), name="logout"),
    path("contrat/", contract.contract_page, name="contract"),
    path("defis/", challenges.challenge_list, name="challenges"),
    path("defis/<int:number>/", challenges.challenge_page, name="challenge"),
    path("indicateurs/", indicators.indicator_list, name="indicators"),
    path("indicateurs/<slug:subject_id>/", indicators.indicator_page, name="indicator"),
    path("mesures/<slug:subject_id>/", indicators.measure_page, name="measure"),
    path("calculs/<slug:definition>/", computations.computation_page, name="computation"),
    path("donnees-ouvertes/", opendata.open_data_page, name="opendata"),
    path("carte/", territory_map.territory_map_page, name="territory-map"),
    path("reseau/", network.network_page, name="network"),
    path(
        "reseau/indicateurs/<str:subject_id>/",
        network.network_indicator_page,
        name="network-indicator",
    ),
    path("actions/", actions.action_list, name="actions"),
    path("actions/<slug:action_id>/", actions.action_page, name="action"),
    path("import/", imports.import_page, name="import"),
    path("import/erreurs/<str:key>.csv", imports.issue_list_download, name="import-issues"),
    path("import/modele/<str:kind>.<str:fmt>", imports.template_download, name="import-template"),
    path("historique/", history.history_page, name="history"),
    path("rapports/", reports.reports_page, name="reports"),
    path("rapports/bilan-annuel/<int:year>.pdf", reports.annual_pdf, name="report-annual"),
    path("rapports/comite/<str:month>.pdf", reports.board_pdf, name="report-board"),
    path("rapports/bilan-annuel/<int:year>/figer/", reports.freeze_annual, name="report-freeze"),
    path(
        "rapports/bilan-annuel/<int:year>/degeler/",
        reports.unfreeze_annual,
        name="report-unfreeze",
    ),
    path("export/cpog.xlsx", exports.export_xlsx, name="export-xlsx"),
    path("campagnes/", campaigns.campaign_list, name="campaigns"),
    path("campagnes/<int:campaign_id>/", campaigns.campaign_page, name="campaign"),
    path("jetons/", tokens.token_page, name="tokens"),
    path("jetons/<int:token_id>/revoquer/", tokens.token_revoke, name="token-revoke"),
    path("comptes/", accounts.account_list, name="accounts"),
    path("comptes/nouveau/", accounts.account_new, name="account-new"),
    path("comptes/<int:user_id>/", accounts.account_page, name="account"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler403 = "cpog.web.views.errors.forbidden"
handler404 = "cpog.web.views.errors.not_found"
handler400 = "cpog.web.views.errors.bad_request"
handler500 = "cpog.web.views.errors.server_error"
