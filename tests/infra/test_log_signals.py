"""The alarms count log lines: check the code writes exactly what the metric filters look for."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import responses

from functions.config import ZaloSettings
from functions.tokens import TokenManager
from functions.zalo_client import ZaloClient
from functions.zalo_errors import ZaloError
from infra.stacks.log_signals import QUOTA_EXHAUSTED_CODES, TOKEN_REFRESH_FAILED, ZALO_CALL_FAILED
from tests.fakes.token_store import FakeOAuth, InMemoryTokenStore

BUSINESS = "https://business.test"
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def test_a_refused_refresh_logs_the_line_the_token_alarm_counts(capsys):
    clock = lambda: T0  # noqa: E731
    oauth = FakeOAuth(clock, valid=())  # Zalo refuses the stored refresh token
    tokens = TokenManager(InMemoryTokenStore(clock), oauth, "rt-0", clock, "lambda-a", sleep=lambda s: None)
    with pytest.raises(ZaloError):
        tokens.access_token()
    (line,) = [entry for entry in _lines(capsys) if entry["message"] == TOKEN_REFRESH_FAILED]
    assert line["level"] == "ERROR" and line["zalo_error"] == -14014 and line["kind"] == "permanent"
    assert "rt-0" not in json.dumps(line)


class _Tokens:
    def access_token(self) -> str:
        return "tok-1"

    def refresh(self, stale: str) -> str:
        return "tok-2"


@pytest.mark.parametrize("code", QUOTA_EXHAUSTED_CODES)
def test_quota_errors_log_the_code_the_quota_alarm_counts(capsys, code):
    client = ZaloClient(ZaloSettings(business_url=BUSINESS), _Tokens())
    with responses.RequestsMock() as http:
        http.post(f"{BUSINESS}/message/template", json={"error": code, "message": "quota"})
        with pytest.raises(ZaloError):
            client.send_template_by_phone("84912345678", "tpl-9", {"ma_ho_so": "H46"}, "n-1")
    (line,) = [entry for entry in _lines(capsys) if entry["message"] == ZALO_CALL_FAILED]
    assert line["zalo_error"] == code and isinstance(line["zalo_error"], int)
    assert "84912345678" not in json.dumps(line)
