"""Officials' side of announcements: validation with Vietnamese/English reasons, broadcast hours with
the next allowed slot, the two-official approval rule, cancellation, preview and the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from functions.announcements import (
    Announcements,
    BroadcastHours,
    InvalidAnnouncement,
    Refused,
    parse_target,
    parse_time,
    to_json,
)
from functions.dossier import VIETNAM_TZ
from tests.fakes.stores import FakeAnnouncements, FakeAuditLog

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 09:00 Vietnam time
GOOD = {
    "title": "Quy định mới về chứng thực bản sao",
    "summary": "Từ 01/12, chứng thực bản sao điện tử được thực hiện trên Cổng dịch vụ công.",
    "link": "https://stp.example.gov.vn/van-ban/123",
    "cover_url": "https://stp.example.gov.vn/anh/bia.jpg",
}


def service(approvals: int = 1, now: datetime = NOW) -> Announcements:
    return Announcements(
        FakeAnnouncements(),
        FakeAuditLog(),
        clock=lambda: now,
        approvals_required=approvals,
        article_author="DVC",
    )


def problems_of(call) -> list[tuple[str, str]]:
    with pytest.raises(InvalidAnnouncement) as caught:
        call()
    for problem in caught.value.problems:
        assert problem.message.endswith(".") and problem.message_en.endswith(".")
    return [(p.field, p.code) for p in caught.value.problems]


def test_draft_schedule_approve_by_another_official():
    s = service()
    draft = s.draft({**GOOD, "target": {"cities": [4, 1], "gender": "0"}}, "can-bo-1")
    assert draft.state == "draft" and draft.target == {"cities": "1,4", "gender": "0"}

    scheduled = s.schedule(draft.announcement_id, "2026-12-01 08:00", "can-bo-1")
    assert scheduled.send_at == datetime(2026, 12, 1, 8, 0, tzinfo=VIETNAM_TZ)
    assert scheduled.state == "scheduled"
    assert to_json(scheduled)["approvals_missing"] == 1

    approved = s.approve(draft.announcement_id, "can-bo-2")
    assert approved.state == "approved" and approved.approvers == ["can-bo-2"]
    assert [(e.actor, e.action) for e in s.history(draft.announcement_id)] == [
        ("can-bo-1", "draft"),
        ("can-bo-1", "schedule"),
        ("can-bo-2", "approve"),
    ]


def test_the_author_cannot_approve_and_nobody_approves_twice():
    s = service(approvals=2)
    a = s.draft({**GOOD, "send_at": "2026-12-01T08:00"}, "can-bo-1")
    with pytest.raises(Refused) as own:
        s.approve(a.announcement_id, "can-bo-1")
    first = s.approve(a.announcement_id, "can-bo-2")
    with pytest.raises(Refused) as twice:
        s.approve(a.announcement_id, "can-bo-2")
    second = s.approve(a.announcement_id, "can-bo-3")

    assert (own.value.status, own.value.code) == (403, "own_announcement")
    assert (twice.value.status, twice.value.code) == (409, "already_approved")
    assert first.state == "scheduled" and second.state == "approved"


def test_no_approvals_required_means_scheduled_is_approved():
    s = service(approvals=0)
    a = s.draft({**GOOD, "send_at": "2026-12-01T08:00"}, "can-bo-1")
    assert a.state == "approved"


def test_rescheduling_starts_the_approvals_over():
    s = service()
    a = s.draft({**GOOD, "send_at": "2026-12-01 08:00"}, "can-bo-1")
    s.approve(a.announcement_id, "can-bo-2")
    moved = s.schedule(a.announcement_id, "2026-12-02 08:00", "can-bo-1")
    assert moved.state == "scheduled" and moved.approvers == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"title": "  "}, [("title", "required")]),
        ({"title": "x" * 151}, [("title", "too_long")]),
        ({"summary": ""}, [("summary", "required")]),
        ({"summary": "y" * 301}, [("summary", "too_long")]),
        ({"link": "http://stp.example.gov.vn"}, [("link", "not_https")]),
        ({"cover_url": "ftp://a/b.png"}, [("cover_url", "not_https")]),
        ({"target": {"cities": "99"}}, [("target.cities", "bad_target")]),
        ({"target": {"telepathy": "1"}}, [("target.telepathy", "bad_target")]),
        ({"title": "", "link": "x"}, [("title", "required"), ("link", "not_https")]),
    ],
)
def test_each_bad_field_is_named_with_a_reason(change, expected):
    assert problems_of(lambda: service().draft({**GOOD, **change}, "can-bo-1")) == expected


def test_times_in_the_past_or_at_night_are_refused_with_the_next_slot():
    s = service()
    a = s.draft(GOOD, "can-bo-1")
    with pytest.raises(InvalidAnnouncement) as night:
        s.schedule(a.announcement_id, "2026-11-25 21:30", "can-bo-1")
    with pytest.raises(InvalidAnnouncement) as past:
        s.schedule(a.announcement_id, "2026-11-24T10:00:00+07:00", "can-bo-1")
    with pytest.raises(InvalidAnnouncement) as garbled:
        s.schedule(a.announcement_id, "mai lúc 8 giờ", "can-bo-1")

    [n], [p], [g] = night.value.problems, past.value.problems, garbled.value.problems
    assert (n.code, n.suggestion) == ("outside_broadcast_hours", "2026-11-26T06:00:00+07:00")
    assert "06:00–20:00" in n.message and "06:00 26/11/2026" in n.message
    assert (p.code, p.suggestion) == ("in_the_past", "2026-11-25T09:00:00+07:00")
    assert g.code == "bad_time"


def test_now_outside_hours_offers_the_morning():
    evening = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)  # 21:30 Vietnam time
    s = service(now=evening)
    a = s.draft(GOOD, "can-bo-1")
    with pytest.raises(InvalidAnnouncement) as caught:
        s.schedule(a.announcement_id, "now", "can-bo-1")
    assert caught.value.problems[0].suggestion == "2026-11-26T06:00:00+07:00"


def test_cancel_before_sending_and_not_after():
    s = service()
    a = s.draft({**GOOD, "send_at": "2026-12-01 08:00"}, "can-bo-1")
    cancelled = s.cancel(a.announcement_id, "can-bo-2", "Sai ngày")
    with pytest.raises(Refused) as again:
        s.cancel(a.announcement_id, "can-bo-2")
    with pytest.raises(Refused) as approve:
        s.approve(a.announcement_id, "can-bo-2")
    assert cancelled.state == "cancelled"
    assert again.value.status == approve.value.status == 409
    assert s.history(a.announcement_id)[-1].details == {"reason": "Sai ngày"}


def test_cancel_loses_to_a_broadcaster_that_claimed_first():
    s = service()
    a = s.draft({**GOOD, "send_at": "now"}, "can-bo-1")
    s.approve(a.announcement_id, "can-bo-2")
    assert s.store.claim(a.announcement_id, "run-1", NOW, 300) is not None
    with pytest.raises(Refused) as caught:
        s.cancel(a.announcement_id, "can-bo-1")
    assert (caught.value.status, caught.value.code) == (409, "changed_meanwhile")
    assert s.get(a.announcement_id).state == "approved"


def test_a_stale_copy_cannot_overwrite_a_newer_change():
    s = service()
    a = s.draft(GOOD, "can-bo-1")
    stale = s.get(a.announcement_id)
    s.schedule(a.announcement_id, "2026-12-01 08:00", "can-bo-1")
    stale.state = "cancelled"
    assert s.store.update_if_unchanged(stale, NOW) is False


def test_preview_is_the_article_and_broadcast_that_will_be_sent():
    s = service()
    a = s.draft({**GOOD, "target": {"ages": "3,4"}}, "can-bo-1")
    shown = s.preview(a.announcement_id)
    assert shown["article"]["title"] == GOOD["title"]
    assert shown["article"]["author"] == "DVC"
    assert shown["article"]["cover"]["photo_url"] == GOOD["cover_url"]
    assert GOOD["link"] in shown["article"]["body"][0]["content"]
    assert shown["broadcast"]["recipient"] == {"target": {"ages": "3,4"}}


def test_list_filters_by_state_and_vietnam_day():
    s = service()
    first = s.draft({**GOOD, "send_at": "2026-12-01 08:00"}, "can-bo-1")
    s.draft({**GOOD, "send_at": "2026-12-02 19:00"}, "can-bo-1")
    s.draft(GOOD, "can-bo-1")
    assert [a.announcement_id for a in s.list(day="2026-12-01")] == [first.announcement_id]
    assert len(s.list(state="draft")) == 1
    assert len(s.list()) == 3


def test_unknown_announcement_is_404():
    with pytest.raises(Refused) as caught:
        service().approve("khong-co", "can-bo-2")
    assert caught.value.status == 404


def test_broadcast_hours_and_time_parsing():
    hours = BroadcastHours.parse("06:00-20:00")
    assert hours.contains(datetime(2026, 11, 25, 6, 0, tzinfo=VIETNAM_TZ))
    assert not hours.contains(datetime(2026, 11, 25, 20, 0, tzinfo=VIETNAM_TZ))
    assert hours.next_slot(datetime(2026, 11, 25, 3, 0, tzinfo=VIETNAM_TZ)) == datetime(
        2026, 11, 25, 6, 0, tzinfo=VIETNAM_TZ
    )
    assert parse_time("21:05", NOW) == datetime(2026, 11, 25, 21, 5, tzinfo=VIETNAM_TZ)
    assert parse_time("01/12/2026 08:30") == datetime(2026, 12, 1, 8, 30, tzinfo=VIETNAM_TZ)
    assert parse_time("2026-12-01T01:30:00Z") == datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
    assert parse_target({"platform": [1, 2]}) == ({"platform": "1,2"}, [])
