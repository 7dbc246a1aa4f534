"""Officials' input is validated with Vietnamese messages; times without zone are Vietnam time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from functions.announcements import Announcements, InvalidAnnouncement
from functions.dossier import VIETNAM_TZ
from tests.fakes.stores import FakeAnnouncements

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
GOOD = {
    "title": "Quy định mới về chứng thực bản sao",
    "summary": "Từ 01/12 …",
    "link": "https://stp.example.gov.vn/van-ban/123",
}


def test_schedule_stores_a_valid_announcement_in_vietnam_time():
    service = Announcements(FakeAnnouncements(), clock=lambda: NOW)
    created = service.schedule({**GOOD, "send_at": "2026-12-01T08:00"}, author="official:ab12")
    assert created.send_at == datetime(2026, 12, 1, 8, 0, tzinfo=VIETNAM_TZ)
    assert created.state == "scheduled"
    assert service.store.get(created.announcement_id).title == GOOD["title"]


def test_no_time_means_now():
    created = Announcements(FakeAnnouncements(), clock=lambda: NOW).schedule(GOOD, author="x")
    assert created.send_at == NOW


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"title": "  "}, "title", "required"),
        ({"title": "x" * 151}, "title", "too_long"),
        ({"summary": ""}, "summary", "required"),
        ({"link": "http://stp.example.gov.vn"}, "link", "not_https"),
        ({"cover_url": "ftp://a/b.png"}, "cover_url", "not_https"),
        ({"send_at": "mai lúc 8 giờ"}, "send_at", "bad_time"),
    ],
)
def test_each_bad_field_is_named_with_a_vietnamese_reason(change, field, code):
    with pytest.raises(InvalidAnnouncement) as caught:
        Announcements(FakeAnnouncements(), clock=lambda: NOW).schedule({**GOOD, **change}, author="x")
    [problem] = caught.value.problems
    assert (problem.field, problem.code) == (field, code)
    assert problem.message.endswith(".")
