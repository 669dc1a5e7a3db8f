"""/api/v1 admin endpoints."""

from ce_platform.api import bp  # noqa: F401
