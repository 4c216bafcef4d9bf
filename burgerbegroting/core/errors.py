"""Friendly error pages in the user's language, for every status a browser can cause."""

from __future__ import annotations

import contextlib

import sqlalchemy as sa
from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from burgerbegroting.extensions import db, login_manager

KNOWN = {400, 403, 404, 405, 413, 429, 500, 503}

# Shown when even the error page cannot be rendered: no stack trace, both languages, no style.
BARE_500 = "<!doctype html><title>Error</title><p>Er ging iets mis. Something went wrong.</p>"
BARE_503 = ("<!doctype html><title>Even niet beschikbaar / Temporarily unavailable</title>"
            "<p>De website is even niet beschikbaar. Probeer het over een paar seconden opnieuw.</p>"
            "<p lang=\"en\">The website is temporarily unavailable. Try again in a few seconds.</p>")


def database_unavailable(error: BaseException) -> bool:
    """The database cannot be reached or dropped the connection (a restart, a network fault, a
    full pool): worth a 503 and trying again, unlike a bug or a broken constraint."""
    if isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)):
        return True
    return isinstance(error, sa.exc.DBAPIError) and bool(error.connection_invalidated)


def _page(code: int) -> tuple[str, int]:
    template = f"errors/{code}.html" if code in KNOWN else "errors/generic.html"
    return render_template(template, code=code), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # type: ignore[no-untyped-def]
        return render_template("errors/csrf.html", code=400), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        code = error.code or 500
        if code < 400:
            return error
        body, status = _page(code)
        response = app.make_response((body, status))
        if code == 405 and error.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        if code == 429:
            retry = getattr(error, "retry_after", None)
            if retry is not None and "Retry-After" not in response.headers:
                response.headers["Retry-After"] = str(retry)
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # type: ignore[no-untyped-def]
        if database_unavailable(error):
            return unavailable(error)
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        with contextlib.suppress(Exception):  # a dead connection has nothing to roll back
            db.session.rollback()
        try:
            return _page(500)
        except Exception:  # the template itself failed: still no stack trace for the user
            return BARE_500, 500

    def unavailable(error: Exception):  # type: ignore[no-untyped-def]
        """503: the transaction is rolled back, nothing of this request is stored; the pool's
        pre-ping replaces dead connections, so the next request works once the database is back."""
        app.logger.warning("Database unavailable on %s %s: %s", request.method, request.path,
                           type(getattr(error, "orig", None) or error).__name__)
        with contextlib.suppress(Exception):
            db.session.rollback()
        # The page must not need the database: show it as to a visitor who is not logged in.
        g._login_user = login_manager.anonymous_user()
        headers = {"Retry-After": str(app.config.get("DATABASE_RETRY_AFTER", 5)), "Cache-Control": "no-store"}
        try:
            body = render_template("errors/unavailable.html", code=503)
        except Exception:
            body = BARE_503
        return body, 503, headers
