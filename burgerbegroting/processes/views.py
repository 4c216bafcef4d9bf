"""Views for processes (filled in by the processes feature)."""

from flask import Blueprint

bp = Blueprint("processes", __name__)
