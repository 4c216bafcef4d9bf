"""Views for proposals (filled in by the proposals feature)."""

from flask import Blueprint

bp = Blueprint("proposals", __name__)
