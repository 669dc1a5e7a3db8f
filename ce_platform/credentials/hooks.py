"""Tie credentials to the certificate flows, so certificates never imports credentials."""

from __future__ import annotations

import logging

from ce_platform.certificates import services as certificates
from ce_platform.credentials import keys, services

log = logging.getLogger(__name__)


def _issue(session, certificate) -> None:
    """A broken key file must not cost the learner the certificate: log it, backfill later."""
    try:
        services.issue_for_certificate(session, certificate)
    except keys.KeyFileError as exc:
        log.error(
            "certificate %s issued without a credential: %s; fix the key file, then run "
            "`flask credentials backfill`",
            certificate.number,
            exc,
        )


def init_app(app) -> None:
    """Register once per process: the hook lists are module-level, apps share them."""
    if _issue not in certificates.STORED_HOOKS:
        certificates.STORED_HOOKS.append(_issue)
    if services.certificate_status_changed not in certificates.STATUS_HOOKS:
        certificates.STATUS_HOOKS.append(services.certificate_status_changed)
