"""Settings: production defaults, every external thing overridable, the province as configuration."""

from __future__ import annotations

from functions.config import Settings


def test_production_defaults():
    settings = Settings.from_env({})
    assert settings.zalo.openapi_url == "https://openapi.zalo.me"
    assert settings.zalo.business_url == "https://business.openapi.zalo.me"
    assert settings.zalo.oauth_url == "https://oauth.zaloapp.com"
    assert settings.tables.dossiers == "dvc-zalo-dev-dossiers"
    assert settings.region == "ap-southeast-1"
    assert settings.admin_token_sha256 == ()


def test_environment_overrides_and_stage_prefix():
    settings = Settings.from_env(
        {
            "STAGE": "prod",
            "ZALO_OPENAPI_URL": "http://127.0.0.1:8500/",
            "DOSSIERS_TABLE": "mcdt-quang-tri-dossiers",
            "ADMIN_TOKEN_SHA256": " ABC , def ,",
            "PROVINCE_NAME": "tỉnh Quảng Trị",
        }
    )
    assert settings.zalo.openapi_url == "http://127.0.0.1:8500"
    assert settings.tables.dossiers == "mcdt-quang-tri-dossiers"
    assert settings.tables.notifications == "dvc-zalo-prod-notifications"
    assert settings.admin_token_sha256 == ("abc", "def")
    assert settings.province_name == "tỉnh Quảng Trị"


def test_secrets_stay_out_of_repr():
    settings = Settings.from_env({"ZALO_APP_SECRET": "s3cr3t", "ZALO_OA_SECRET_KEY": "k3y"})
    assert "s3cr3t" not in repr(settings) and "k3y" not in repr(settings)
