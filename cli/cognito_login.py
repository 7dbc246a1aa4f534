"""An official's sign-in to the Cognito user pool from the command line, challenges included.

The pool requires TOTP (infra/stacks/officials.py), so a sign-in is rarely one call: the first time
Cognito asks for a new password (the invitation's is temporary) and for setting up an authenticator
app; every later time for the app's 6-digit code. Each answer goes back with the session Cognito gave,
until it hands out the tokens. The `ask` callback reads from the official (or from a test).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

# A sign-in needs at most: new password, MFA set-up, TOTP code. More means something is wrong.
MAX_STEPS = 5

Ask = Callable[[str, bool], str]  # (prompt, secret) → the official's answer


class LoginFailed(Exception):
    """Cognito asked for something this CLI cannot answer (say so, in Vietnamese and English)."""


def sign_in(cognito: Any, client_id: str, username: str, ask: Ask, issuer: str = "dvc-zalo") -> str:
    """The ID token for `username`, after answering every challenge Cognito sets."""
    answer = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": ask("Mật khẩu (password): ", True)},
    )
    for _ in range(MAX_STEPS):
        if "AuthenticationResult" in answer:
            return str(answer["AuthenticationResult"]["IdToken"])
        answer = _answer_challenge(cognito, client_id, username, answer, ask, issuer)
    raise LoginFailed("Đăng nhập chưa xong sau nhiều bước. / Sign-in did not finish.")


def _answer_challenge(
    cognito: Any, client_id: str, username: str, answer: dict[str, Any], ask: Ask, issuer: str
) -> dict[str, Any]:
    challenge, session = answer.get("ChallengeName", ""), answer.get("Session", "")
    responses = {"USERNAME": username}
    if challenge == "NEW_PASSWORD_REQUIRED":
        responses["NEW_PASSWORD"] = _new_password(ask)
    elif challenge == "MFA_SETUP":
        session = _set_up_totp(cognito, session, username, ask, issuer)
    elif challenge == "SOFTWARE_TOKEN_MFA":
        responses["SOFTWARE_TOKEN_MFA_CODE"] = ask("Mã 6 số trong ứng dụng xác thực (TOTP code): ", False)
    else:
        raise LoginFailed(f"Cognito yêu cầu bước {challenge!r} mà CLI chưa hỗ trợ. / Unsupported challenge.")
    return dict(
        cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName=challenge, Session=session, ChallengeResponses=responses
        )
    )


def _new_password(ask: Ask) -> str:
    first = ask("Mật khẩu mới, ít nhất 14 ký tự (new password): ", True)
    if ask("Nhập lại mật khẩu mới (repeat): ", True) != first:
        raise LoginFailed("Hai lần nhập mật khẩu mới không khớp. / The new passwords differ.")
    return first


def _set_up_totp(cognito: Any, session: str, username: str, ask: Ask, issuer: str) -> str:
    """Pair an authenticator app: show the secret (and its otpauth URI), check one code."""
    secret = cognito.associate_software_token(Session=session)
    uri = f"otpauth://totp/{quote(issuer)}:{quote(username)}?secret={secret['SecretCode']}&issuer={quote(issuer)}"
    ask(
        "Thêm tài khoản vào ứng dụng xác thực (Google Authenticator, Microsoft Authenticator…) bằng khoá:\n"
        f"  {secret['SecretCode']}\n  ({uri})\nNhấn Enter khi đã thêm. ",
        False,
    )
    verified = cognito.verify_software_token(
        Session=secret["Session"], UserCode=ask("Mã 6 số đầu tiên (first TOTP code): ", False)
    )
    if verified.get("Status") != "SUCCESS":
        raise LoginFailed("Mã xác thực không đúng. / The TOTP code was not accepted.")
    return str(verified["Session"])
