"""An official's first and later sign-ins through Cognito's challenges, against botocore's Stubber
(the shapes are checked against the real cognito-idp API model)."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from cli.cognito_login import LoginFailed, sign_in

CLIENT, USER = "3n4b5urk1ft4fl3mg5e4kk1oq1", "nguyen.van.an@quangtri.gov.vn"
TOKENS = {"AuthenticationResult": {"IdToken": "id-token", "AccessToken": "a", "RefreshToken": "r"}}
SESSION = "s" * 40


def answers(*replies: str):
    queue = list(replies)
    asked: list[str] = []

    def ask(prompt: str, secret: bool) -> str:
        asked.append(prompt)
        return queue.pop(0)

    return ask, asked


@pytest.fixture
def cognito():
    client = boto3.client(
        "cognito-idp", region_name="ap-southeast-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def _initiate(stub: Stubber, password: str, reply: dict) -> None:
    stub.add_response(
        "initiate_auth",
        reply,
        {
            "ClientId": CLIENT,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": USER, "PASSWORD": password},
        },
    )


def _respond(stub: Stubber, challenge: str, session: str, responses: dict, reply: dict) -> None:
    stub.add_response(
        "respond_to_auth_challenge",
        reply,
        {
            "ClientId": CLIENT,
            "ChallengeName": challenge,
            "Session": session,
            "ChallengeResponses": {"USERNAME": USER, **responses},
        },
    )


def test_first_sign_in_sets_a_password_pairs_the_app_and_gets_the_token(cognito):
    client, stub = cognito
    _initiate(stub, "Tạm-thời-123!", {"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": SESSION})
    new = "Mật-khẩu-mới-2026!"
    _respond(
        stub,
        "NEW_PASSWORD_REQUIRED",
        SESSION,
        {"NEW_PASSWORD": new},
        {"ChallengeName": "MFA_SETUP", "Session": "t" * 40},
    )
    stub.add_response(
        "associate_software_token",
        {"SecretCode": "JBSWY3DPEHPK3PXP", "Session": "u" * 40},
        {"Session": "t" * 40},
    )
    stub.add_response(
        "verify_software_token",
        {"Status": "SUCCESS", "Session": "v" * 40},
        {"Session": "u" * 40, "UserCode": "123456"},
    )
    _respond(stub, "MFA_SETUP", "v" * 40, {}, TOKENS)

    ask, asked = answers("Tạm-thời-123!", new, new, "", "123456")
    assert sign_in(client, CLIENT, USER, ask) == "id-token"
    assert any("JBSWY3DPEHPK3PXP" in prompt and "otpauth://totp/" in prompt for prompt in asked)


def test_later_sign_ins_ask_for_the_totp_code(cognito):
    client, stub = cognito
    _initiate(stub, "Mật-khẩu-mới-2026!", {"ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": SESSION})
    _respond(stub, "SOFTWARE_TOKEN_MFA", SESSION, {"SOFTWARE_TOKEN_MFA_CODE": "654321"}, TOKENS)
    ask, _ = answers("Mật-khẩu-mới-2026!", "654321")
    assert sign_in(client, CLIENT, USER, ask) == "id-token"


def test_mistyped_new_passwords_stop_before_anything_is_sent(cognito):
    client, stub = cognito
    _initiate(stub, "Tạm-thời-123!", {"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": SESSION})
    ask, _ = answers("Tạm-thời-123!", "Mật-khẩu-mới-2026!", "Mat-khau-moi-2026!")
    with pytest.raises(LoginFailed, match="không khớp"):
        sign_in(client, CLIENT, USER, ask)


def test_an_unsupported_challenge_is_explained(cognito):
    client, stub = cognito
    _initiate(stub, "p", {"ChallengeName": "SMS_MFA", "Session": SESSION})
    ask, _ = answers("p")
    with pytest.raises(LoginFailed, match="SMS_MFA"):
        sign_in(client, CLIENT, USER, ask)
