"""/api/v1 authoring endpoints."""

from ce_platform.api import bp  # noqa: F401
