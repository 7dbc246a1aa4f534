"""Status-page links: what the receipt's QR encodes and the page checks."""

import pytest

from functions import status_link

KEY = "khoá-thử-nghiệm"
CODE = "000.00.12.H46-240115-0003"


def test_url_carries_the_canonical_code_and_its_token():
    link = status_link.url("https://dvc.quangtri.gov.vn/", "000.00.12.h46 - 240115 - 0003", KEY)
    assert link == f"https://dvc.quangtri.gov.vn/tra-cuu/{CODE}?k={status_link.token(CODE, KEY)}"
    assert len(status_link.token(CODE, KEY)) == status_link.TOKEN_LENGTH


def test_only_the_issued_token_verifies():
    k = status_link.token(CODE, KEY)
    assert status_link.verify(CODE, k, KEY)
    assert not status_link.verify("000.00.12.H46-240115-0004", k, KEY)  # a neighbour's code
    assert not status_link.verify(CODE, k, "another-key")
    assert not status_link.verify(CODE, k[:-1] + ("A" if k[-1] != "A" else "B"), KEY)
    assert not status_link.verify(CODE, "", KEY)
    assert not status_link.verify("not a code", k, KEY)


def test_tokens_differ_between_codes():
    tokens = {status_link.token(f"000.00.12.H46-240115-{n:04d}", KEY) for n in range(1, 200)}
    assert len(tokens) == 199


def test_a_missing_key_is_a_configuration_error_not_a_guessable_link():
    with pytest.raises(ValueError):
        status_link.token(CODE, "")
    assert not status_link.verify(CODE, "anything", "")
