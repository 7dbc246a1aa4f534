"""X-Ray patching happens only where the deployment switches it on."""

from __future__ import annotations

from functions.tracing import PATCHED_LIBRARIES, enable_if_configured


def test_off_by_default(monkeypatch):
    monkeypatch.delenv("XRAY_TRACING", raising=False)
    calls = []
    assert enable_if_configured(calls.append) is False
    assert calls == []


def test_on_patches_aws_and_zalo_calls(monkeypatch):
    monkeypatch.setenv("XRAY_TRACING", "1")
    calls = []
    assert enable_if_configured(calls.append) is True
    assert calls == [PATCHED_LIBRARIES]
