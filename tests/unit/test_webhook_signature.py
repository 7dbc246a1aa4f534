"""Zalo webhook signature (zalo-api.md §1.2)."""

from __future__ import annotations

import hashlib

import pytest

from functions.webhook_signature import compute_mac, verify

APP_ID = "1234567890123456789"
SECRET = "oa-secret-key-for-tests"
TIMESTAMP = "1705291200000"
BODY = (
    '{"app_id":"1234567890123456789","event_name":"user_send_text","timestamp":"1705291200000",'
    '"sender":{"id":"5461837590210348291"},"message":{"text":"Hồ sơ 000.00.12.H46-240115-0003"}}'
).encode()


def _good() -> str:
    return compute_mac(APP_ID, BODY, TIMESTAMP, SECRET)


def test_known_vector_computed_by_hand() -> None:
    by_hand = hashlib.sha256(
        ("1234567890123456789" + BODY.decode("utf-8") + "1705291200000" + "oa-secret-key-for-tests").encode()
    ).hexdigest()
    assert compute_mac(APP_ID, BODY, TIMESTAMP, SECRET) == by_hand
    assert compute_mac("1", b"{}", "2", "s") == hashlib.sha256(b"1{}2s").hexdigest()


def test_good_signature_with_mac_prefix() -> None:
    assert verify(f"mac={_good()}", APP_ID, BODY, TIMESTAMP, SECRET)


@pytest.mark.parametrize(
    "header",
    [lambda h: h, lambda h: h.upper(), lambda h: "MAC=" + h.upper(), lambda h: f"  mac={h}  "],
    ids=["bare", "upper-hex", "upper-prefix", "padded"],
)
def test_accepted_header_variants(header) -> None:  # type: ignore[no-untyped-def]
    assert verify(header(_good()), APP_ID, BODY, TIMESTAMP, SECRET)


def test_tampered_body() -> None:
    tampered = BODY.replace(b"0003", b"0004")
    assert not verify(f"mac={_good()}", APP_ID, tampered, TIMESTAMP, SECRET)


def test_wrong_key_app_id_or_timestamp() -> None:
    header = f"mac={_good()}"
    assert not verify(header, APP_ID, BODY, TIMESTAMP, "another-oa-secret")
    assert not verify(header, "9999999999999999999", BODY, TIMESTAMP, SECRET)
    assert not verify(header, APP_ID, BODY, "1705291200001", SECRET)


@pytest.mark.parametrize(
    "header", [None, "", "   ", "mac=", "mac=not-hex", "mac=" + "0" * 63, "mac=" + "g" * 64, "sha256=abc"]
)
def test_missing_or_garbage_header(header: str | None) -> None:
    assert not verify(header, APP_ID, BODY, TIMESTAMP, SECRET)


def test_non_utf8_body_is_false_not_an_error() -> None:
    body = b"\xff\xfe{}"
    assert not verify("mac=" + "0" * 64, APP_ID, body, TIMESTAMP, SECRET)
    with pytest.raises(UnicodeDecodeError):
        compute_mac(APP_ID, body, TIMESTAMP, SECRET)


def test_an_unconfigured_secret_verifies_nothing() -> None:
    forged = compute_mac(APP_ID, BODY, TIMESTAMP, "")
    assert not verify(f"mac={forged}", APP_ID, BODY, TIMESTAMP, "")
