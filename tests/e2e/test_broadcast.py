"""An official schedules an announcement; the broadcaster sends it as a Zalo article broadcast."""

from __future__ import annotations

import pytest
import requests

from local.stack import DEV_ADMIN_TOKEN
from tests.e2e.sim_client import eventually

pytestmark = pytest.mark.e2e

AUTH = {"Authorization": f"Bearer {DEV_ADMIN_TOKEN}"}
ANNOUNCEMENT = {
    "title": "Thông báo lịch tiếp công dân tháng 12",
    "summary": "Trung tâm phục vụ hành chính công tỉnh làm việc cả sáng thứ Bảy trong tháng 12.",
    "link": "https://dichvucong.example.gov.vn/tin-tuc/lich-lam-viec-thang-12",
}


def test_due_announcement_is_broadcast_once(sim, api, stack):
    follower = sim.new_citizen("Hoàng Văn Nam", follower=True)
    created = requests.post(f"{api}/admin/announcements", json=ANNOUNCEMENT, headers=AUTH, timeout=5)
    assert created.status_code == 201, created.text
    announcement_id = created.json()["id"]

    first = stack.runner.fire("broadcaster")
    second = stack.runner.fire("broadcaster")  # a second run finds nothing left to send

    assert first.get("sent") == 1
    assert not second.get("sent")
    shown = requests.get(f"{api}/admin/announcements/{announcement_id}", headers=AUTH, timeout=5).json()
    assert shown["state"] == "sent"
    assert shown["zalo_message_id"]
    broadcasts = sim.calls("/v2.0/oa/message")
    assert len([c for c in broadcasts if shown["article_id"] in str(c.get("body"))]) == 1
    articles = [
        c for c in sim.calls("/v2.0/article/create") if c["body"].get("title") == ANNOUNCEMENT["title"]
    ]
    assert len(articles) == 1
    inbox = eventually(lambda: sim.inbox(follower["user_id"]).get("broadcasts"))
    assert inbox


def test_officials_api_refuses_without_credentials_and_explains_bad_input(api):
    anonymous = requests.post(f"{api}/admin/announcements", json=ANNOUNCEMENT, timeout=5)
    bad = requests.post(
        f"{api}/admin/announcements",
        json={**ANNOUNCEMENT, "link": "http://x.vn", "title": ""},
        headers=AUTH,
        timeout=5,
    )

    assert anonymous.status_code in (401, 403)
    assert bad.status_code == 400
    fields = {p["field"] for p in bad.json()["problems"]}
    assert fields == {"title", "link"}
    assert any("https" in p["message"] for p in bad.json()["problems"])
