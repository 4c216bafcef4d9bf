"""Views for ballots (filled in by the voting feature)."""

from flask import Blueprint

bp = Blueprint("ballots", __name__)
