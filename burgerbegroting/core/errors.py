"""Friendly error pages in the user's language, for every status a browser can cause."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from burgerbegroting.extensions import db

KNOWN = {400, 403, 404, 405, 413, 429, 500, 503}


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
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        try:
            return _page(500)
        except Exception:  # the template itself failed: still no stack trace for the user
            return "<!doctype html><title>Error</title><p>Er ging iets mis. Something went wrong.</p>", 500
