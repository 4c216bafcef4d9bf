"""Views for reviews (filled in by the reviews feature)."""

from flask import Blueprint

bp = Blueprint("reviews", __name__)
