"""Security headers, a strict Content Security Policy, and input guards."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, request

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(self), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _reject_control_characters() -> None:
    """NUL and other C0 control characters have no place in a form or URL; PostgreSQL
    refuses NUL in text, so stop them at the door with a 400 instead of a 500."""
    try:
        request.query_string.decode()  # raw non-UTF-8 bytes (browsers percent-encode them)
    except UnicodeDecodeError:
        abort(400)
    if any(ord(ch) < 32 for ch in request.path):  # path parameters reach queries too
        abort(400)
    for source in (request.args, request.form):
        for values in source.listvalues():
            for value in values:
                if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in value):
                    abort(400)


def csp_for(map_tile_url: str) -> str:
    """The CSP, with the map tile server's origin allowed for images when a map is configured
    (``{s}`` subdomains become a wildcard)."""
    parts = urlsplit(map_tile_url or "")
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return CSP
    host = parts.netloc.replace("{s}", "*")
    return CSP.replace("img-src 'self' data:", f"img-src 'self' data: {parts.scheme}://{host}")


def _add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        if name == "Content-Security-Policy":
            value = csp_for(current_app.config.get("MAP_TILE_URL", ""))
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if response.mimetype == "text/html":
        response.headers.add("Vary", "HX-Request")
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    app.before_request(_reject_control_characters)
    app.after_request(_add_headers)
