"""Behind a reverse proxy (decision 023): which peers are believed, and the client's address.

cpog sits behind the IT department's HTTPS reverse proxy (nginx in deploy/nginx/cpog.conf). The
proxy says, in ``X-Forwarded-Proto``, that the browser spoke https, and, in ``X-Forwarded-For``,
who the browser is. Anybody can send those headers, so they are believed only when the request
comes from one of ``CPOG_TRUSTED_PROXIES`` (``settings.TRUSTED_PROXIES``):

- :class:`TrustedProxyMiddleware`, first in the chain, removes the forwarding headers of every
  other peer; Django's ``SECURE_PROXY_SSL_HEADER`` (set only when proxies are configured) can
  then read ``X-Forwarded-Proto`` without being fooled;
- :func:`client_address` is the one definition of the client's address: the rightmost hop of
  ``X-Forwarded-For`` that is not itself a trusted proxy, when the peer is trusted; else the
  peer. django-axes locks logins on it (``AXES_CLIENT_IP_CALLABLE``).

The settings' parsers live here too, with their French messages naming the variable.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:  # settings.py imports this module: nothing heavier than django.conf at run time
    from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# The headers only a trusted proxy may set (as Django names them in request.META).
FORWARDED_HEADERS: tuple[str, ...] = (
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
)
PROTO_HEADER: tuple[str, str] = ("HTTP_X_FORWARDED_PROTO", "https")


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def parse_networks(name: str, text: str) -> tuple[Network, ...]:
    """Addresses or networks (CIDR), comma-separated; a French error naming ``name`` otherwise."""
    networks: list[Network] = []
    for item in _items(text):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} : « {item} » n'est ni une adresse IP ni un réseau (par exemple"
                " 127.0.0.1, 10.0.0.0/8 ou ::1) ; séparez les valeurs par des virgules."
            ) from None
    return tuple(networks)


def parse_origins(name: str, text: str) -> list[str]:
    """Origins such as ``https://cpog.caf79.fr``, comma-separated, each with its scheme."""
    origins: list[str] = []
    for item in _items(text):
        parts = urlsplit(item)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ImproperlyConfigured(
                f"{name} : « {item} » n'est pas une origine ; écrivez le schéma et le nom, par"
                " exemple https://cpog.caf79.fr (séparez les valeurs par des virgules)."
            )
        if parts.path not in {"", "/"} or parts.query or parts.fragment:
            raise ImproperlyConfigured(
                f"{name} : « {item} » contient un chemin ; une origine n'a que le schéma, le nom"
                " et éventuellement le port, par exemple https://cpog.caf79.fr."
            )
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


def _address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: Address | None, networks: Iterable[Network]) -> bool:
    return address is not None and any(address in network for network in networks)


def _proxies() -> tuple[Network, ...]:
    return tuple(getattr(settings, "TRUSTED_PROXIES", ()))


def peer_is_trusted(request: HttpRequest) -> bool:
    """Whether the request comes straight from one of the configured reverse proxies."""
    return _trusted(_address(request.META.get("REMOTE_ADDR", "")), _proxies())


def client_address(request: HttpRequest) -> str:
    """The client's address: behind a trusted proxy, the rightmost ``X-Forwarded-For`` hop that
    is not a trusted proxy (the hops on its left were written by the client and prove nothing);
    otherwise the peer's own address."""
    peer = str(request.META.get("REMOTE_ADDR", ""))
    proxies = _proxies()
    if not _trusted(_address(peer), proxies):
        return peer
    client = peer
    for hop in reversed(_items(str(request.META.get("HTTP_X_FORWARDED_FOR", "")))):
        address = _address(hop)
        if address is None:
            break  # not an address: nothing on its left can be believed either
        client = str(address)
        if not _trusted(address, proxies):
            break
    return client


class TrustedProxyMiddleware:
    """First middleware: the forwarding headers of a peer that is not a trusted proxy are
    removed, so that nothing after it (Django's https check, the login lockout) believes them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not peer_is_trusted(request):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)
