"""Citizens' data is personal data: a whole lookup and notification leave no phone or name in logs."""

from __future__ import annotations

import pytest

from tests.e2e.sim_client import eventually
from tests.factories import next_phone, save_dossier, zalo_phone

pytestmark = pytest.mark.e2e


def test_no_phone_name_or_message_text_reaches_the_logs(sim, stack, capfd):
    phone = next_phone()
    name = "Đinh Thị Phương Thảo"
    citizen = sim.new_citizen(name, phone=zalo_phone(phone))
    dossier = save_dossier(status=2, phone=phone, applicant_name=name, notify_zalo=True)
    eventually(lambda: sim.phone_inbox(zalo_phone(phone)))

    sim.say(citizen["user_id"], f"Số tôi là {phone}, CCCD 044190001234, hồ sơ {dossier.code}")
    eventually(lambda: sim.inbox(citizen["user_id"]).get("chat"))
    assert stack.runner.settle()

    logs = capfd.readouterr()
    everything = logs.out + logs.err
    assert dossier.code in everything  # the logs do say what happened …
    digits = zalo_phone(phone)[2:]
    for secret in (digits, zalo_phone(phone), phone, name, "Thảo", "044190001234", citizen["user_id"]):
        assert secret not in everything  # … but not to whom
