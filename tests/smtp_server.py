"""A real SMTP server for the tests: aiosmtpd on a free loopback port, keeping what it receives.

with smtp_server() as server:
    ... send through 127.0.0.1:server.port ...
    server.messages  # email.message.EmailMessage, in order received
    server.refusal = "554 5.7.1 Refusé"  # every next message refused with that answer
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

# aiosmtpd narrates every connection at INFO (« EOF received », « connection lost »), from its
# own thread, after the test that opened it: its warnings are enough.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@dataclass
class Received:
    """The messages the server accepted, with their envelope recipients."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    refusal: str = ""  # when set, the server's answer to every message: nothing is accepted

    def to(self, address: str) -> list[EmailMessage]:
        return [
            m for m, rcpt in zip(self.messages, self.recipients, strict=True) if address in rcpt
        ]

    @staticmethod
    def subject(message: EmailMessage) -> str:
        """The decoded subject (a folded encoded header may start with a blank)."""
        return str(message["Subject"]).strip()

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())


class _Collector:
    def __init__(self, received: Received) -> None:
        self.received = received

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.received.refusal:
            return self.received.refusal
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.messages.append(parsed)
        self.received.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def use(settings: Any, server: Received) -> None:
    """Point Django's mail settings (pytest-django's ``settings``) at ``server``."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "cpog <cpog@caf79.example>"


@contextmanager
def smtp_server() -> Iterator[Received]:
    received = Received(free_port())
    controller = Controller(_Collector(received), hostname="127.0.0.1", port=received.port)
    controller.start()
    try:
        yield received
    finally:
        controller.stop()
