"""Views for voters (filled in by the voting feature)."""

from flask import Blueprint

bp = Blueprint("voters", __name__)
