"""WSGI entry point: ``gunicorn wsgi:app``."""

from burgerbegroting.app import create_app

app = create_app()
