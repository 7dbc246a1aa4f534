"""What operators see of a dossier's notices, and the settings that tune the retries."""

from __future__ import annotations

from datetime import UTC, datetime

from functions import notice_report
from functions.config import Settings
from functions.ports import Notice

CODE = "000.00.12.H46-240115-0003"


def test_rows_are_oldest_first_in_vietnam_time_with_the_phone_masked():
    late = Notice(
        "b",
        CODE,
        5,
        "+84912345678",
        {"ghi_chu": "x"},
        state="delivered",
        attempts=2,
        created_at=datetime(2026, 11, 25, 3, 0, tzinfo=UTC),
    )
    early = Notice(
        "a",
        CODE,
        2,
        "",
        {},
        state="skipped",
        error="no_consent",
        created_at=datetime(2026, 11, 25, 1, 0, tzinfo=UTC),
    )
    rows = notice_report.rows([late, early])
    assert [r["notice_id"] for r in rows] == ["a", "b"]
    assert rows[1]["phone"] == "+8491****678" and "template_data" not in rows[1]
    assert rows[1]["created_at"] == "2026-11-25T10:00:00+07:00" and rows[1]["sent_at"] == ""
    text = notice_report.table(CODE, rows)
    assert "no_consent" in text and "912345678" not in text and text.count("\n") == 3
    assert notice_report.table(CODE, []) == f"{CODE}: no notices recorded"


def test_codes_are_accepted_in_any_case_and_spacing():
    assert notice_report.canonical_code(" 000.00.12.h46 - 240115 - 0003 ") == CODE
    assert notice_report.canonical_code(" HS-123 ") == "HS-123"  # not our format: looked up as typed


def test_notice_settings_come_from_notice_variables():
    notices = Settings.from_env({"NOTICE_BACKOFF_SECONDS": "0", "NOTICE_WORKERS": "3"}).notices
    assert (notices.backoff_seconds, notices.workers, notices.max_attempts) == (0.0, 3, 6)
