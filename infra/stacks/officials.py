"""The officials' sign-in: a Cognito user pool and the CLI's app client (docs/officials.md §1).

functions/main.py puts a Cognito user-pool authorizer on every /admin route when the app is packaged
with `OFFICIALS_USER_POOL_ARN` (the stack passes this pool's ARN, as a CDK token). API Gateway then
checks the ID token before any Lambda runs, and answers a missing or rejected one itself: the gateway
responses below give those answers the same JSON body as our handlers' refusals.

Choices (each a line in docs/deploy.md §8):
- No self sign-up: the province's IT centre creates each official (`admin-create-user`); the e-mail is
  the user name, so the audit shows who acted.
- MFA required, TOTP only: one stolen password must not be enough to broadcast to every follower of
  the OA. TOTP costs nothing; SMS is billed per message and needs an SNS origination set-up for Vietnam.
- Feature plan LITE: passwords, TOTP and e-mail recovery are all in it, and it is free below 10,000
  monthly active users. Threat protection ("advanced security") needs the paid PLUS plan: off.
- The app client has no secret: the CLI runs on officials' own machines, where a secret shared by
  all of them would not stay secret (and the CLI does not compute SECRET_HASH). It allows
  USER_PASSWORD_AUTH (what `python -m cli.officials login` sends) and SRP (for clients that never
  send the password), and refresh tokens.
"""

from __future__ import annotations

import json

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from functions.admin_auth import UNAUTHORIZED

ID_TOKEN_HOURS = 1  # an ID token cannot be revoked: keep its life short
REFRESH_TOKEN_HOURS = 12  # one working day; revocable (sign-out), then a new login with TOTP
PASSWORD_MIN_LENGTH = 14
# API Gateway's own answers (before our code runs): 401 no/invalid token, 403 refused by the authorizer.
GATEWAY_RESPONSES = {"UNAUTHORIZED": "401", "ACCESS_DENIED": "403"}
JSON_UTF8 = "application/json; charset=utf-8"

INVITATION_SUBJECT = "Tài khoản cán bộ dvc-zalo / Officials' account"
INVITATION_BODY = (
    "Tài khoản của bạn trên hệ thống thông báo Zalo OA: {username}, mật khẩu tạm: {####}. "
    "Lần đăng nhập đầu bạn sẽ đặt mật khẩu mới và cài ứng dụng xác thực (TOTP). "
    "Your account: {username}, temporary password: {####}."
)

VERIFICATION_SUBJECT = "Mã xác minh e-mail dvc-zalo / Verification code"
VERIFICATION_BODY = "Mã xác minh e-mail của bạn: {####}. Your verification code: {####}."


class OfficialsPool(Construct):
    """The user pool and the CLI's app client."""

    def __init__(self, scope: Construct, construct_id: str, *, prefix: str, removal: RemovalPolicy) -> None:
        super().__init__(scope, construct_id)
        self.pool = cognito.UserPool(
            self,
            "Pool",
            user_pool_name=f"{prefix}-officials",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True, username=False),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            password_policy=cognito.PasswordPolicy(
                min_length=PASSWORD_MIN_LENGTH,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True),
            enable_sms_role=False,
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            feature_plan=cognito.FeaturePlan.LITE,
            user_invitation=cognito.UserInvitationConfig(
                email_subject=INVITATION_SUBJECT, email_body=INVITATION_BODY
            ),
            user_verification=cognito.UserVerificationConfig(
                email_subject=VERIFICATION_SUBJECT, email_body=VERIFICATION_BODY
            ),
            deletion_protection=removal == RemovalPolicy.RETAIN,
            removal_policy=removal,
        )
        self.client = self.pool.add_client(
            "Cli",
            user_pool_client_name=f"{prefix}-officials-cli",
            generate_secret=False,
            disable_o_auth=True,  # no hosted UI, no redirects: the CLI calls InitiateAuth directly
            auth_flows=cognito.AuthFlow(user_password=True, user_srp=True),
            id_token_validity=Duration.hours(ID_TOKEN_HOURS),
            access_token_validity=Duration.hours(ID_TOKEN_HOURS),
            refresh_token_validity=Duration.hours(REFRESH_TOKEN_HOURS),
            enable_token_revocation=True,
            prevent_user_existence_errors=True,
            read_attributes=cognito.ClientAttributes().with_standard_attributes(
                email=True, email_verified=True
            ),
            write_attributes=cognito.ClientAttributes(),
        )


def gateway_responses() -> dict[str, dict[str, object]]:
    """`x-amazon-apigateway-gateway-responses` for the REST API's definition: API Gateway's 401/403
    in the officials' JSON (admin_auth.UNAUTHORIZED, Vietnamese first). Inside the definition, not
    as separate resources, so a change redeploys the stage with it."""
    body = json.dumps(UNAUTHORIZED, ensure_ascii=False)
    return {
        kind: {
            "statusCode": status,
            "responseParameters": {"gatewayresponse.header.Content-Type": f"'{JSON_UTF8}'"},
            "responseTemplates": {"application/json": body},
        }
        for kind, status in GATEWAY_RESPONSES.items()
    }
