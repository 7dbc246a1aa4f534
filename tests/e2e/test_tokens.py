"""The OA access token expires; the product refreshes it (single-use refresh token) and carries on."""

from __future__ import annotations

import pytest

from functions.models import OaTokenModel
from tests.e2e.sim_client import eventually
from tests.factories import save_dossier

pytestmark = pytest.mark.e2e


def test_expired_token_is_refreshed_once_and_the_reply_still_arrives(sim, stack):
    dossier = save_dossier(status=10)
    citizen = sim.new_citizen("Võ Thị Mai")
    sim.say(citizen["user_id"], "hello")  # make sure the product holds a token already
    eventually(lambda: sim.inbox(citizen["user_id"]).get("chat"))
    before = OaTokenModel.get(stack_oa_id())

    sim.expire_tokens()
    sim.say(citizen["user_id"], dossier.code)

    chat = eventually(lambda: (c := sim.inbox(citizen["user_id"]).get("chat")) and len(c) >= 2 and c)
    assert dossier.code in chat[-1]["text"]
    after = OaTokenModel.get(stack_oa_id())
    assert after.access_token != before.access_token
    assert after.refresh_token != before.refresh_token  # the rotated refresh token was persisted
    assert after.lock_owner is None


def stack_oa_id() -> str:
    import os

    return os.environ["ZALO_OA_ID"]
