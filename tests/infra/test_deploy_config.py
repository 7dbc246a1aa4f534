"""Context checks: a prod stack that would be unsafe or unreachable is refused with the reason."""

from __future__ import annotations

import pytest

from infra.stacks.deploy_config import DeployConfig
from tests.infra.conftest import PROD_CONTEXT


def test_dev_needs_nothing_and_sends_zbs_to_admins_only():
    config = DeployConfig.from_context({"stage": "dev"}.get)
    assert config.prefix == "dvc-zalo-dev" and config.zalo_zbs_mode == "development"
    assert config.mcdt_principal == ""  # this account itself may assume the MCĐT role in dev


@pytest.mark.parametrize("missing", ["alarm_email", "mcdt_principal", "public_base_url", "zalo_oa_id"])
def test_prod_without_what_it_needs_is_refused(missing):
    context = {k: v for k, v in PROD_CONTEXT.items() if k != missing}
    with pytest.raises(ValueError, match=missing):
        DeployConfig.from_context(context.get)


def test_prod_refuses_the_default_external_id_and_plain_http():
    with pytest.raises(ValueError, match="external_id"):
        DeployConfig.from_context({**PROD_CONTEXT, "mcdt_external_id": ""}.get)
    with pytest.raises(ValueError, match="https"):
        DeployConfig.from_context({**PROD_CONTEXT, "public_base_url": "http://x.example"}.get)


def test_unknown_stage_and_bad_principal_are_refused():
    with pytest.raises(ValueError, match="stages"):
        DeployConfig.from_context({"stage": "staging"}.get)
    with pytest.raises(ValueError, match="mcdt_principal"):
        DeployConfig.from_context({"stage": "dev", "mcdt_principal": "mcdt-vendor"}.get)


def test_dev_token_digests_are_refused_in_aws():
    """Officials sign in to the stack's user pool; a digest given here would be silently unused."""
    with pytest.raises(ValueError, match="Cognito"):
        DeployConfig.from_context({"stage": "dev", "admin_token_sha256": "ab" * 32}.get)


def test_function_settings_pass_only_the_tunable_ones():
    config = DeployConfig.from_context(
        {"stage": "dev", "function_settings": '{"WEBHOOK_MAX_SKEW_SECONDS": 3900, "LOOKUP_LIMIT": "30"}'}.get
    )
    assert config.function_settings == {"WEBHOOK_MAX_SKEW_SECONDS": "3900", "LOOKUP_LIMIT": "30"}
    with pytest.raises(ValueError, match="ZALO_OAUTH_URL"):
        DeployConfig.from_context({"stage": "dev", "function_settings": {"ZALO_OAUTH_URL": "http://x"}}.get)
