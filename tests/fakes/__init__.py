"""In-memory stand-ins for the ports (functions/ports.py, functions/tokens.py) used by unit tests."""
