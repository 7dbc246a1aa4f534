"""Structured logs: one JSON object per line, personal data masked even when a caller slips."""

from __future__ import annotations

import json
import logging

from functions.logs import get_logger, log


def test_log_line_is_json_with_fields_and_masks_digits(capsys):
    logger = get_logger("test")
    log(
        logger,
        logging.INFO,
        "lookup for 0912345678",
        dossier="000.00.12.H46-240115-0003",
        phone="0912 345 678",
    )
    entry = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert entry["level"] == "INFO"
    assert entry["dossier"] == "000.00.12.H46-240115-0003"
    assert "345678" not in entry["message"] and "345 678" not in entry["phone"]


def test_exception_traceback_is_masked(capsys):
    logger = get_logger("test")
    try:
        raise ValueError("CCCD 044190001234 không hợp lệ")
    except ValueError:
        logger.exception("failed")
    entry = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert entry["error_type"] == "ValueError"
    assert "044190001234" not in entry["traceback"]
