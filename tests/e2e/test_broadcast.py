"""Announcements through the local stack: officials draft, preview, schedule, approve and cancel over
the API; the broadcaster (the real scheduled handler) sends through the Zalo simulator.

Time: the announcements' clock follows the simulator's locally, so tests move it with
/_sim/clock/advance instead of waiting, and never depend on the wall clock's hour.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from functions import main, wiring
from local.lambda_runner import LambdaContext, scheduled_event
from local.stack import DEV_ADMIN_TOKEN, DEV_ADMIN_TOKEN_2, REGION

pytestmark = pytest.mark.e2e

AUTHOR = {"Authorization": f"Bearer {DEV_ADMIN_TOKEN}"}  # can-bo-1
APPROVER = {"Authorization": f"Bearer {DEV_ADMIN_TOKEN_2}"}  # can-bo-2


def content(**changes: Any) -> dict[str, Any]:
    """A real-looking announcement with a unique title, so tests can find their own calls."""
    return {
        "title": f"Thông báo lịch tiếp công dân tháng 12 ({uuid.uuid4().hex[:6]})",
        "summary": "Trung tâm phục vụ hành chính công tỉnh làm việc cả sáng thứ Bảy trong tháng 12.",
        "link": "https://dichvucong.example.gov.vn/tin-tuc/lich-lam-viec-thang-12",
        "cover_url": "https://dichvucong.example.gov.vn/anh/bia-thang-12.jpg",
        **changes,
    }


class Officials:
    def __init__(self, api: str) -> None:
        self.api = f"{api}/admin/announcements"

    def call(
        self, method: str, path: str = "", who: dict[str, str] = AUTHOR, **body: Any
    ) -> requests.Response:
        return requests.request(method, f"{self.api}{path}", json=body or None, headers=who, timeout=10)

    def ready(self, **changes: Any) -> dict[str, Any]:
        """Drafted by can-bo-1 for now, approved by can-bo-2."""
        created = self.call("POST", **content(send_at="now", **changes))
        assert created.status_code == 201, created.text
        approved = self.call("POST", f"/{created.json()['id']}/approve", who=APPROVER)
        assert approved.json()["state"] == "approved", approved.text
        return approved.json()

    def show(self, announcement_id: str) -> dict[str, Any]:
        return self.call("GET", f"/{announcement_id}").json()


@pytest.fixture
def officials(api) -> Officials:
    return Officials(api)


@pytest.fixture
def morning(sim):
    """10:00 Vietnam time on the simulator's (and so the announcements') clock."""
    sim.advance_to_vietnam_time(10)
    yield
    if not 8 <= sim.vietnam_hour() < 18:
        sim.advance_to_vietnam_time(10)  # leave daytime behind for the next test


def broadcasts_of(sim, title: str) -> list[dict[str, Any]]:
    articles = {a["id"] for a in sim.articles() if a.get("title") == title}
    return [b for b in sim.broadcasts() if b["article_id"] in articles]


def articles_of(sim, title: str) -> list[dict[str, Any]]:
    """Articles Zalo created (calls it refused, e.g. with an expired token, created nothing)."""
    calls = sim.calls("/v2.0/article/create")
    return [c for c in calls if c["body"].get("title") == title and c["response_json"]["error"] == 0]


def run_broadcaster() -> dict[str, int]:
    """One invocation of the real scheduled handler, as EventBridge → Lambda would make it."""
    return main.broadcaster(scheduled_event("broadcaster", REGION), LambdaContext("broadcaster", 120))


def test_the_whole_lifecycle(sim, officials, stack, morning):
    follower = sim.new_citizen("Hoàng Văn Nam", follower=True)
    body = content(target={"cities": [4], "gender": "0"})
    draft = officials.call("POST", **body).json()
    aid = draft["id"]
    preview = officials.call("GET", f"/{aid}/preview").json()
    scheduled = officials.call("POST", f"/{aid}/schedule", send_at=_today_vietnam(sim, "10:30"))
    own = officials.call("POST", f"/{aid}/approve")
    approved = officials.call("POST", f"/{aid}/approve", who=APPROVER)
    stack.runner.fire("broadcaster")
    too_early = officials.show(aid)["state"]
    sim.advance(30 * 60)
    stack.runner.fire("broadcaster")
    stack.runner.fire("broadcaster")  # a second run finds nothing left to do for it

    assert draft["state"] == "draft" and draft["author"] == "can-bo-1"
    assert preview["article"]["title"] == body["title"]
    assert preview["article"]["cover"]["photo_url"] == body["cover_url"]
    assert body["link"] in preview["article"]["body"][0]["content"]
    assert preview["broadcast"]["recipient"]["target"] == {"cities": "4", "gender": "0"}
    assert scheduled.json()["state"] == "scheduled", scheduled.text
    assert own.status_code == 403 and "tự phê duyệt" in own.json()["message"]
    assert approved.json()["state"] == "approved" and approved.json()["approvers"] == ["can-bo-2"]
    assert too_early == "approved"

    shown = officials.show(aid)
    assert shown["state"] == "sent" and shown["outcome"]["zalo_message_id"] and shown["outcome"]["sent_at"]
    [article] = articles_of(sim, body["title"])
    assert article["body"] == preview["article"]  # the preview is exactly what was sent
    [broadcast] = broadcasts_of(sim, body["title"])
    assert broadcast["message_id"] == shown["outcome"]["zalo_message_id"]
    assert broadcast["target"] == {"cities": "4", "gender": "0"}
    assert any(b["article"]["title"] == body["title"] for b in sim.inbox(follower["user_id"])["broadcasts"])

    audit = officials.call("GET", f"/{aid}/audit").json()["items"]
    assert [(e["actor"], e["action"]) for e in audit] == [
        ("can-bo-1", "draft"),
        ("can-bo-1", "schedule"),
        ("can-bo-2", "approve"),
        ("broadcaster", "article_requested"),
        ("broadcaster", "article_created"),
        ("broadcaster", "sent"),
    ]
    listed = officials.call("GET", "?state=sent").json()["items"]
    assert aid in [a["id"] for a in listed]


def _today_vietnam(sim, hhmm: str) -> str:
    vietnam = datetime.fromtimestamp(sim.now_ms() / 1000, UTC) + timedelta(hours=7)
    return f"{vietnam:%Y-%m-%d} {hhmm}"


def test_without_approval_nothing_is_sent(sim, officials, stack, morning):
    body = content(send_at="now")
    created = officials.call("POST", **body).json()
    assert created["state"] == "scheduled" and created["approvals_missing"] == 1
    run_broadcaster()
    assert articles_of(sim, body["title"]) == []
    assert officials.show(created["id"])["state"] == "scheduled"


def test_out_of_hours_is_refused_with_the_next_slot_and_held_by_the_broadcaster(sim, officials, morning):
    night = officials.call("POST", **content(send_at=_today_vietnam(sim, "21:15")))
    [problem] = night.json()["problems"]
    assert night.status_code == 400 and problem["code"] == "outside_broadcast_hours"
    assert problem["suggestion"].endswith("T06:00:00+07:00") and "06:00–20:00" in problem["message"]

    ready = officials.ready()
    sim.advance_to_vietnam_time(20, 30)  # approved at 10:00, but the broadcaster only runs at 20:30
    held = run_broadcaster()
    shown = officials.show(ready["id"])
    sim.advance_to_vietnam_time(6, 0)
    sent = run_broadcaster()

    assert held.get("outside_hours", 0) >= 1
    assert "06:00" in shown["hold_reason"] and shown["next_attempt_at"].endswith("T06:00:00+07:00")
    assert sent.get("sent", 0) >= 1 and officials.show(ready["id"])["state"] == "sent"


def test_quota_is_held_with_a_reason_then_retried(sim, officials, morning):
    ready = officials.ready()
    sim.fault("/v2.0/oa/message", error=-211, message="Quota exceeded")
    assert run_broadcaster().get("held_quota", 0) >= 1
    held = officials.show(ready["id"])
    assert held["state"] == "article_created" and "-211" in held["hold_reason"]
    sim.advance(3600)
    run_broadcaster()
    assert officials.show(ready["id"])["state"] == "sent"
    assert len(articles_of(sim, ready["title"])) == 1


def test_an_expired_token_is_refreshed_once_and_the_broadcast_goes_out(sim, officials, morning):
    ready = officials.ready()
    sim.expire_tokens()
    run_broadcaster()
    assert officials.show(ready["id"])["state"] == "sent"
    assert len(articles_of(sim, ready["title"])) == 1


def test_content_refused_fails_with_the_reason(sim, officials, morning):
    ready = officials.ready()
    sim.fault("/v2.0/article/create", error=-248, message="Content violates platform standards")
    run_broadcaster()
    shown = officials.show(ready["id"])
    assert shown["state"] == "failed" and "-248" in shown["outcome"]["error"]


def test_two_runs_at_once_broadcast_once(sim, officials, morning):
    ready = officials.ready()
    sim.configure(latency_ms=150)  # widen the window in which the runs overlap
    try:
        results = _at_once(run_broadcaster, run_broadcaster)
    finally:
        sim.configure(latency_ms=0)
    assert sum(r.get("sent", 0) for r in results) >= 1
    assert officials.show(ready["id"])["state"] == "sent"
    assert len(broadcasts_of(sim, ready["title"])) == 1 and len(articles_of(sim, ready["title"])) == 1


class _CrashAfterArticle:
    """The real Zalo client, but the process 'dies' right after the article was created."""

    def __init__(self, zalo: Any) -> None:
        self.zalo = zalo

    def create_article(self, *args: Any) -> str:
        return self.zalo.create_article(*args)

    def verify_article(self, token: str) -> str | None:
        raise SystemExit("Lambda killed after the article was created")


def test_a_crash_after_article_creation_resumes_with_one_article(sim, officials, morning):
    ready = officials.ready()
    crashing = wiring.broadcaster(lambda: 100.0)
    crashing.zalo = _CrashAfterArticle(wiring.zalo())
    with pytest.raises(SystemExit):
        crashing.run()
    left = officials.show(ready["id"])
    not_yet = run_broadcaster()  # the dead run's claim is still live
    sim.advance(301)  # its lease runs out
    resumed = run_broadcaster()

    assert left["state"] == "sending" and not left["outcome"]["article_id"]
    assert not_yet.get("claimed_elsewhere", 0) >= 1
    assert resumed.get("sent", 0) >= 1 and officials.show(ready["id"])["state"] == "sent"
    assert len(articles_of(sim, ready["title"])) == 1 and len(broadcasts_of(sim, ready["title"])) == 1


def test_cancel_racing_the_broadcaster_has_one_winner(sim, officials, morning):
    """The cancel starts with the run, or a little after: before its claim, during, or after."""
    sim.configure(latency_ms=100)
    outcomes = []
    try:
        for delay in (0.0, 0.05, 0.1, 0.2, 0.4):
            ready = officials.ready()
            cancel, _ = _at_once(
                lambda aid=ready["id"], d=delay: _cancel_after(officials, aid, d), run_broadcaster
            )
            state = officials.show(ready["id"])["state"]
            sent = broadcasts_of(sim, ready["title"])
            outcomes.append((cancel.status_code, state, len(sent)))
    finally:
        sim.configure(latency_ms=0)
    # Either cancelled and nothing sent, or refused (lost to the claim, or too late) and sent once.
    assert all(o in ((200, "cancelled", 0), (409, "sent", 1)) for o in outcomes), outcomes


def _cancel_after(officials: Officials, announcement_id: str, delay: float) -> requests.Response:
    time.sleep(delay)  # staggers the race; the outcome is checked whatever the timing
    return officials.call("POST", f"/{announcement_id}/cancel", who=APPROVER, reason="Sai nội dung")


class _PausingZalo:
    """The real Zalo client; `create_article` waits (claim held) until the test lets it go on."""

    def __init__(self, zalo: Any) -> None:
        self.zalo = zalo
        self.entered, self.proceed = threading.Event(), threading.Event()

    def create_article(self, *args: Any) -> str:
        self.entered.set()
        self.proceed.wait(timeout=30)
        return self.zalo.create_article(*args)

    def verify_article(self, token: str) -> str | None:
        return self.zalo.verify_article(token)

    def broadcast_article(self, article_id: str, target: dict[str, str]) -> str:
        return self.zalo.broadcast_article(article_id, target)


def test_cancel_while_a_run_holds_the_claim_is_refused_and_it_is_sent_once(sim, officials, morning):
    ready = officials.ready()
    pausing = _PausingZalo(wiring.zalo())
    run = wiring.broadcaster(lambda: 100.0)
    run.zalo = pausing
    worker = threading.Thread(target=run.run)
    worker.start()
    assert pausing.entered.wait(timeout=30)
    cancel = officials.call("POST", f"/{ready['id']}/cancel", who=APPROVER, reason="Sai nội dung")
    pausing.proceed.set()
    worker.join(timeout=60)

    assert cancel.status_code == 409 and "đang được gửi" in cancel.json()["message"]
    assert officials.show(ready["id"])["state"] == "sent"
    assert len(broadcasts_of(sim, ready["title"])) == 1


def test_officials_api_refuses_without_credentials_and_explains_bad_input(api, officials):
    anonymous = requests.post(f"{api}/admin/announcements", json=content(), timeout=5)
    wrong = requests.post(
        f"{api}/admin/announcements", json=content(), headers={"Authorization": "Bearer sai"}, timeout=5
    )
    bad = officials.call("POST", **content(link="http://x.vn", title=""))

    assert anonymous.status_code == 401 and wrong.status_code == 403
    assert bad.status_code == 400
    problems = bad.json()["problems"]
    assert {p["field"] for p in problems} == {"title", "link"}
    assert any("https" in p["message"] for p in problems) and all(p["message_en"] for p in problems)
    assert officials.call("GET", "/khong-co").status_code == 404


def _at_once(*calls: Any) -> list[Any]:
    """Start the calls together (a barrier) and return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
