"""/api/v1 reports endpoints."""

from ce_platform.api import bp  # noqa: F401
