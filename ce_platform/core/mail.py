"""Outgoing mail: SMTP when CE_MAIL_SERVER is set, otherwise written to the log."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app

log = logging.getLogger("ce_platform.mail")


def site_url(endpoint: str, **values) -> str:
    """An absolute link to a page at CE_BASE_URL, built without a request (jobs send mail)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def compose(
    to: str, subject: str, text: str, html: str | None = None, headers: dict | None = None
) -> EmailMessage:
    """One message with a plain-text part and, when given, an HTML alternative."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def deliver(message: EmailMessage) -> None:
    """Hand a message to the SMTP server (an error is raised, so the job is retried)."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        log.info(
            "mail (no CE_MAIL_SERVER set) to=%s subject=%s\n%s",
            message["To"],
            message["Subject"],
            message.get_body(("plain",)).get_content(),
        )
        return
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
