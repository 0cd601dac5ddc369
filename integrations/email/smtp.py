"""E-mail notices by SMTP: one message per notice, to the address on file.

``HARK_SMTP_URL`` names the server: ``smtp://`` upgrades with STARTTLS when
the server offers it (a relay on the same host may not), ``smtps://`` speaks
TLS from the first byte; a user and password in the URL log in. Any SMTP
error is an outcome (``Sent(ok=False)``) the ledger records, never a crash.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

from hark.runtime.settings import Settings
from hark.skills.notices.channels import Sent

TIMEOUT_S = 20.0


class SmtpSender:
    """Implements the notice channel ``EmailSender``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def configured(self) -> bool:
        return self.settings.smtp_url is not None and bool(self.settings.smtp_from)

    def send_email(self, to: str, subject: str, body: str) -> Sent:
        if self.settings.smtp_url is None or not self.settings.smtp_from:
            return Sent(False, error="e-mail not configured (HARK_SMTP_URL, HARK_SMTP_FROM)")
        url = urlsplit(self.settings.smtp_url.get_secret_value())
        message = EmailMessage()
        message["From"] = self.settings.smtp_from
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(usegmt=True)
        domain = self.settings.smtp_from.rsplit("@", 1)[-1]
        message_id = f"<{uuid.uuid4().hex}@{domain}>"
        message["Message-ID"] = message_id
        message.set_content(body)
        host, port = url.hostname or "", url.port
        try:
            if url.scheme == "smtps":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    host, port or 465, timeout=TIMEOUT_S, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(host, port or 25, timeout=TIMEOUT_S)
            with client:
                client.ehlo()
                if url.scheme == "smtp" and client.has_extn("starttls"):
                    client.starttls(context=ssl.create_default_context())
                    client.ehlo()
                if url.username:
                    client.login(unquote(url.username), unquote(url.password or ""))
                client.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            return Sent(False, error=f"SMTP: {type(exc).__name__}")
        return Sent(True, provider_id=message_id[1:-1][:64])
