"""Static files with their content's hash in the name, cached for a year.

At start the app hashes every file under ``static/`` (a few hundred KB: milliseconds).
``url_for('static', filename='css/site.css')`` then gives ``/static/css/site.<hash>.css``,
served with ``Cache-Control: public, max-age=31536000, immutable``: a browser or proxy never
asks again, and a changed file gets a new name. The plain name keeps working with a short
cache time (``SEND_FILE_MAX_AGE_DEFAULT``), as does a hashed name of an older version (during
a rolling upgrade), which gets the current file with the short cache time too.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, send_from_directory

LONG = "public, max-age=31536000, immutable"
HASH_LENGTH = 12
_HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{{{HASH_LENGTH}}})(?P<suffix>\.[A-Za-z0-9]+)$")


def build_manifest(folder: Path) -> dict[str, str]:
    """Plain name → hashed name, for every file under ``folder`` (names use "/")."""
    manifest: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        name = path.relative_to(folder).as_posix()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]
        stem, dot, suffix = name.rpartition(".")
        if not dot or "/" in suffix:
            continue  # no extension: served under its plain name only
        manifest[name] = f"{stem}.{digest}.{suffix}"
    return manifest


def _hashed_url(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint != "static":
        return
    filename = values.get("filename")
    hashed = current_app.extensions["bb_assets"]["manifest"].get(filename)
    if hashed is not None:
        values["filename"] = hashed


def _static(filename: str) -> Response:
    assets = current_app.extensions["bb_assets"]
    folder = current_app.static_folder
    assert folder is not None
    plain = assets["reverse"].get(filename)
    if plain is not None:
        response = send_from_directory(folder, plain, max_age=31536000)
        response.headers["Cache-Control"] = LONG
        return response
    match = _HASHED.match(filename)
    if match and f"{match['stem']}{match['suffix']}" in assets["manifest"]:
        filename = f"{match['stem']}{match['suffix']}"  # an older version's name
    return send_from_directory(folder, filename)


def init_app(app: Flask) -> None:
    if not app.config["STATIC_HASHED_NAMES"] or app.static_folder is None:
        return
    manifest = build_manifest(Path(app.static_folder))
    app.extensions["bb_assets"] = {"manifest": manifest, "reverse": {v: k for k, v in manifest.items()}}
    app.url_defaults(_hashed_url)
    app.view_functions["static"] = _static
