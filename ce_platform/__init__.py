"""ce_platform: continuing education for licensed clinicians."""

from __future__ import annotations

import logging

from dotenv import find_dotenv, load_dotenv
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from ce_platform import config as config_module


def create_app(config: dict | None = None) -> Flask:
    """Build the application; `config` overrides everything else (used by tests)."""
    load_dotenv(find_dotenv(usecwd=True), override=False)
    app = Flask(__name__, instance_relative_config=True)
    from ce_platform.core.jsonbody import UntrustedJSONProvider
    from ce_platform.core.validation import IdConverter

    app.json = UntrustedJSONProvider(app)
    app.url_map.converters["int"] = IdConverter  # before any route is added
    if config and config.get("TESTING"):
        app.testing = True
    config_module.load(app, config)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from ce_platform import models  # noqa: F401  (the metadata must know every table)
    from ce_platform.extensions import configure_engine, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"

    from ce_platform import api
    from ce_platform.accounts import cli as accounts_cli
    from ce_platform.accounts import views as accounts_views
    from ce_platform.admin import cli as admin_cli
    from ce_platform.admin import views as admin_views
    from ce_platform.authoring import views as authoring_views
    from ce_platform.catalog import cli as catalog_cli
    from ce_platform.catalog import views as catalog_views
    from ce_platform.certificates import cli as certificates_cli
    from ce_platform.certificates import views as certificates_views
    from ce_platform.core import cli as core_cli
    from ce_platform.core import errors
    from ce_platform.core import views as core_views
    from ce_platform.credentials import cli as credentials_cli
    from ce_platform.credentials import views as credentials_views
    from ce_platform.jobs import cli as jobs_cli
    from ce_platform.jobs import queue as jobs_queue
    from ce_platform.learning import views as learning_views
    from ce_platform.licenses import views as licenses_views
    from ce_platform.messages import services as messages  # noqa: F401  (registers the mail job)
    from ce_platform.programs import cli as programs_cli
    from ce_platform.programs import views as programs_views
    from ce_platform.reports import views as reports_views

    errors.init_app(app)
    app.add_template_filter(_ce_hours, "ce_hours")
    for blueprint in (
        core_views.bp,
        accounts_views.bp,
        catalog_views.bp,
        learning_views.bp,
        certificates_views.bp,
        programs_views.bp,
        authoring_views.bp,
        reports_views.bp,
        admin_views.bp,
        credentials_views.bp,
        licenses_views.bp,
    ):
        app.register_blueprint(blueprint)
    api.init_app(app)
    accounts_cli.init_app(app)
    catalog_cli.init_app(app)
    programs_cli.init_app(app)
    certificates_cli.init_app(app)
    admin_cli.init_app(app)
    core_cli.init_app(app)
    credentials_cli.init_app(app)
    from ce_platform.credentials import hooks as credential_hooks

    credential_hooks.init_app(app)
    jobs_cli.init_app(app)
    jobs_queue.init_app(app)

    return app


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


def _ce_hours(value) -> str:
    """Print CE hours as certificates do: 1.0, 1.5, 0.75."""
    from decimal import Decimal

    from ce_platform.content import format_hours

    return format_hours(Decimal(str(value)))
