"""Single sign-on's configuration, read from the environment by cpog.settings (decision 025).

Framework-light on purpose: the settings module imports it before Django is set up, so it reads
strings and checks their form only. The identity provider is asked later (its discovery document,
on the first SSO login of each process) and the groups file is read at every SSO login
(:mod:`cpog.web.sso_mapping`), so that a change to either needs no restart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ISSUER = "CPOG_OIDC_ISSUER"
CLIENT_ID = "CPOG_OIDC_CLIENT_ID"
CLIENT_SECRET = "CPOG_OIDC_CLIENT_SECRET"
GROUPS_FILE = "CPOG_OIDC_GROUPES"
NAME = "CPOG_OIDC_NOM"
GROUPS_CLAIM = "CPOG_OIDC_CLAIM_GROUPES"
LINK_ACCOUNTS = "CPOG_OIDC_LIER_COMPTES"
LOCAL_ACCOUNTS = "CPOG_COMPTES_LOCAUX"
PRODUCTION = "CPOG_PRODUCTION"  # read as cpog.settings does: "1" is production

DEFAULT_NAME = "l'annuaire"
DEFAULT_GROUPS_CLAIM = "groups"


class SsoConfigError(ValueError):
    """A French sentence naming the variable and its value."""


@dataclass(frozen=True)
class SsoConfig:
    """Where the identity provider is and how cpog is known to it."""

    issuer: str  # without a trailing slash, as the discovery document must repeat it
    client_id: str
    client_secret: str
    groups_file: Path
    name: str = DEFAULT_NAME
    groups_claim: str = DEFAULT_GROUPS_CLAIM
    link_accounts: bool = False  # an existing local account of the same name is taken over

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


def _flag(env: Mapping[str, str], name: str, default: str) -> bool:
    text = env.get(name, default).strip() or default
    if text not in ("0", "1"):
        raise SsoConfigError(f"{name}={text} : 0 ou 1 attendu (par défaut {default}).")
    return text == "1"


def local_accounts(env: Mapping[str, str]) -> bool:
    """Whether password sign-in stays open to every local account (CPOG_COMPTES_LOCAUX, default
    1). When 0, only administrators may still sign in with a password (break-glass)."""
    return _flag(env, LOCAL_ACCOUNTS, "1")


def from_environment(env: Mapping[str, str]) -> SsoConfig | None:
    """The configuration, or None when SSO is off (no CPOG_OIDC_ISSUER). Raises
    :class:`SsoConfigError` when it is on but incomplete or malformed."""
    issuer = env.get(ISSUER, "").strip().rstrip("/")
    if not issuer:
        for name in (CLIENT_ID, CLIENT_SECRET, GROUPS_FILE):
            if env.get(name, "").strip():
                raise SsoConfigError(
                    f"{name} est posé mais {ISSUER} est vide : indiquez l'adresse du fournisseur "
                    "d'identité (ou retirez les variables CPOG_OIDC_*)."
                )
        return None
    if not issuer.startswith(("https://", "http://")):
        raise SsoConfigError(
            f"{ISSUER}={issuer} : une adresse http(s) est attendue, par exemple "
            "https://sso.caf.example/realms/caf."
        )
    if issuer.startswith("http://") and env.get(PRODUCTION, "0") == "1":
        raise SsoConfigError(
            f"{ISSUER}={issuer} : en production ({PRODUCTION}=1), l'adresse du fournisseur "
            "d'identité doit commencer par https:// (les jetons et le secret du client ne "
            "passent pas en clair)."
        )
    missing = [name for name in (CLIENT_ID, CLIENT_SECRET, GROUPS_FILE) if not env.get(name)]
    if missing:
        raise SsoConfigError(
            f"{ISSUER} est posé : {', '.join(missing)} "
            f"{'est obligatoire' if len(missing) == 1 else 'sont obligatoires'} aussi."
        )
    groups_file = Path(env[GROUPS_FILE].strip()).expanduser()
    if not groups_file.is_file():
        raise SsoConfigError(
            f"{GROUPS_FILE}={env[GROUPS_FILE]} : fichier introuvable (la table des groupes de "
            "l'annuaire vers les rôles de cpog)."
        )
    return SsoConfig(
        issuer=issuer,
        client_id=env[CLIENT_ID].strip(),
        client_secret=env[CLIENT_SECRET].strip(),
        groups_file=groups_file.resolve(),
        name=env.get(NAME, "").strip() or DEFAULT_NAME,
        groups_claim=env.get(GROUPS_CLAIM, "").strip() or DEFAULT_GROUPS_CLAIM,
        link_accounts=_flag(env, LINK_ACCOUNTS, "0"),
    )
