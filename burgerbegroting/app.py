"""The application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, ProductionConfig, config_name_from_env

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_name: str | None = None, **overrides: object) -> Flask:
    """Build the app for ``config_name`` (development, testing, production)."""
    name = config_name or config_name_from_env()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    from burgerbegroting.core.web import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any route is added
    app.config.from_object(CONFIGS[name])
    app.config.update(overrides)
    if name == "production":
        ProductionConfig.check(app.config)

    from burgerbegroting.core import logs

    logs.init_app(app)  # before the extensions: its request id and timing wrap every other hook

    if app.config["PROXY_FIX_X_FOR"] or app.config["PROXY_FIX_X_PROTO"]:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=app.config["PROXY_FIX_X_FOR"],
            x_proto=app.config["PROXY_FIX_X_PROTO"],
        )

    from burgerbegroting import models  # noqa: F401  (registers every table)
    from burgerbegroting.core import i18n, outages
    from burgerbegroting.extensions import babel, csrf, db, limiter, login_manager, migrate

    outages.prepare(app)  # time-outs for PostgreSQL and Redis, before the extensions read them
    db.init_app(app)
    from burgerbegroting.core import dbpool

    with app.app_context():
        for engine in db.engines.values():
            dbpool.install(engine, app.config["DB_IDLE_PING_SECONDS"])
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    limiter.init_app(app)
    login_manager.init_app(app)

    from burgerbegroting.auth.views import bp as auth_bp
    from burgerbegroting.ballots.views import bp as ballots_bp
    from burgerbegroting.health.views import bp as health_bp
    from burgerbegroting.jobs.views import bp as jobs_bp
    from burgerbegroting.moderation.views import bp as moderation_bp
    from burgerbegroting.pages.views import bp as pages_bp
    from burgerbegroting.processes.views import bp as processes_bp
    from burgerbegroting.proposals.views import bp as proposals_bp
    from burgerbegroting.results.views import bp as results_bp
    from burgerbegroting.reviews.views import bp as reviews_bp
    from burgerbegroting.staff.views import bp as staff_bp
    from burgerbegroting.voters.views import bp as voters_bp

    for blueprint in (pages_bp, auth_bp, staff_bp, processes_bp, proposals_bp, reviews_bp, moderation_bp,
                      voters_bp, ballots_bp, results_bp, health_bp, jobs_bp):
        app.register_blueprint(blueprint)

    from burgerbegroting.auth import loading
    from burgerbegroting.core import assets, audit, errors, metrics, security, templating

    loading.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    outages.init_app(app)
    templating.init_app(app)
    metrics.init_app(app)
    assets.init_app(app)
    audit.connect_signals()

    from burgerbegroting import cli

    cli.init_app(app)
    from burgerbegroting.jobs import cli as jobs_cli

    jobs_cli.init_app(app)
    return app
