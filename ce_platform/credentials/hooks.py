"""Tie credentials to the certificate flows, so certificates never imports credentials."""

from __future__ import annotations

from ce_platform.certificates import services as certificates
from ce_platform.credentials import services


def _issue(session, certificate) -> None:
    services.issue_for_certificate(session, certificate)


def init_app(app) -> None:
    """Register once per process: the hook lists are module-level, apps share them."""
    if _issue not in certificates.STORED_HOOKS:
        certificates.STORED_HOOKS.append(_issue)
    if services.certificate_status_changed not in certificates.STATUS_HOOKS:
        certificates.STATUS_HOOKS.append(services.certificate_status_changed)
