"""Chalice looks for a module named `app` beside .chalice/; the real app lives in functions.main."""

from functions.main import app  # noqa: F401
