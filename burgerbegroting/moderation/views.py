"""Views for moderation (filled in by the moderation feature)."""

from flask import Blueprint

bp = Blueprint("moderation", __name__)
