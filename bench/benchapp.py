"""The application as the benchmarks serve it: the platform plus a signed-in floor endpoint.

`GET /bench/signed-in-floor` does what every signed-in page must and nothing more: Flask-Login
loads the user, and the base layout is rendered with no content. Pages are measured against
it. It exists only here; `wsgi.py` never registers it. With `CE_BENCH_NO_RATE_LIMIT=1` (set
by bench/run.py for its server) rate limits are off, so verification is measured, not refused.
"""

from __future__ import annotations

import os

from flask import Flask, render_template
from flask_login import login_required

from ce_platform import create_app

FLOOR_PATH = "/bench/signed-in-floor"


@login_required
def signed_in_floor() -> str:
    """Load the signed-in user and render the empty base layout."""
    return render_template("base.html")


def create_bench_app(config: dict | None = None) -> Flask:
    """The application with the floor endpoint; gunicorn serves `benchapp:create_bench_app()`."""
    if os.environ.get("CE_BENCH_NO_RATE_LIMIT"):
        config = {"RATELIMIT_ENABLED": False, **(config or {})}
    app = create_app(config)
    app.add_url_rule(FLOOR_PATH, "bench_signed_in_floor", signed_in_floor)
    return app
