"""Structured (JSON) logs that carry no personal data.

Callers pass only what is safe: ids we generate, dossier codes, error codes, masked values from
privacy.py. As a second line of defence every string field and the message are passed through
`privacy.mask_text`, which masks phone- and ID-number-looking digit runs.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any

from functions.privacy import mask_text

_CONFIGURED = False


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_text(record.getMessage()),
        }
        fields = getattr(record, "fields", None) or {}
        for key, value in fields.items():
            entry[key] = mask_text(value) if isinstance(value, str) else value
        if record.exc_info and record.exc_info[0] is not None:
            entry["error_type"] = record.exc_info[0].__name__
            entry["traceback"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stdout is at the time (Lambda's, or a test's capture)."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def get_logger(name: str) -> logging.Logger:
    """A logger writing JSON lines to stdout (CloudWatch on Lambda), configured once."""
    global _CONFIGURED
    if not _CONFIGURED:
        handler = _StdoutHandler()
        handler.setFormatter(JsonFormatter())
        root = logging.getLogger("dvc")
        root.handlers[:] = [handler]
        root.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
        root.propagate = False
        _CONFIGURED = True
    return logging.getLogger(f"dvc.{name}")


def log(logger: logging.Logger, level: int, message: str, **fields: Any) -> None:
    """Log `message` with structured `fields` (never pass raw phones, names or message texts)."""
    logger.log(level, message, extra={"fields": fields})
