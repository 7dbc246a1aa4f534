"""The officials' CLI over the API of the local stack: two officials take an announcement from draft
to sent, and a refusal is explained in Vietnamese with English beside."""

from __future__ import annotations

import io
import re

import pytest

from cli.officials import main as cli
from local.stack import DEV_ADMIN_TOKEN, DEV_ADMIN_TOKEN_2

pytestmark = pytest.mark.e2e


def run(api: str, token: str, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = cli(["--api", api, "--token", token, *args], out=out)
    return code, out.getvalue()


def test_two_officials_send_an_announcement_with_the_cli(api, sim, stack):
    sim.advance_to_vietnam_time(10)
    code, drafted = run(
        api,
        DEV_ADMIN_TOKEN,
        "draft",
        "--title",
        "Hướng dẫn nộp hồ sơ cấp đổi giấy phép lái xe trực tuyến",
        "--summary",
        "Người dân có thể nộp hồ sơ đổi giấy phép lái xe trên Cổng dịch vụ công, không cần đến trụ sở.",
        "--link",
        "https://dichvucong.example.gov.vn/huong-dan/doi-gplx",
        "--cities",
        "4",
        "--at",
        "now",
    )
    announcement_id = re.search(r"Mã:\s+(\w+)", drafted).group(1)
    own = run(api, DEV_ADMIN_TOKEN, "approve", announcement_id)
    approved = run(api, DEV_ADMIN_TOKEN_2, "approve", announcement_id)
    sent = stack.runner.fire("broadcaster")
    listed = run(api, DEV_ADMIN_TOKEN, "list", "--state", "sent")
    shown = run(api, DEV_ADMIN_TOKEN, "show", announcement_id)
    audit = run(api, DEV_ADMIN_TOKEN, "audit", announcement_id)
    preview = run(api, DEV_ADMIN_TOKEN, "--json", "preview", announcement_id)

    assert code == 0 and "chờ phê duyệt" in drafted
    assert own[0] == 1 and "tự phê duyệt" in own[1] and "another official" in own[1]
    assert approved[0] == 0 and "can-bo-2" in approved[1]
    assert sent.get("sent", 0) >= 1
    assert announcement_id in listed[1]
    assert "Mã tin Zalo:" in shown[1] and "đã gửi" in shown[1]
    assert [line.split()[1:3] for line in audit[1].splitlines()][:3] == [
        ["can-bo-1", "draft"],
        ["can-bo-1", "schedule"],
        ["can-bo-2", "approve"],
    ]
    assert '"cities": "4"' in preview[1]


def test_cli_explains_bad_input_and_suggests_the_next_slot(api, sim):
    sim.advance_to_vietnam_time(10)
    content = ["--title", "Lịch tiếp công dân", "--summary", "Làm việc cả sáng thứ Bảy."]
    bad_link = run(api, DEV_ADMIN_TOKEN, "draft", *content, "--link", "http://khong-an-toan.example.vn")
    at_night = run(
        api, DEV_ADMIN_TOKEN, "draft", *content, "--link", "https://dvc.example.gov.vn/1", "--at", "23:30"
    )
    assert bad_link[0] == 1
    assert "link: Liên kết phải là địa chỉ https://. (The link must be an https:// address.)" in bad_link[1]
    assert at_night[0] == 1 and "06:00–20:00" in at_night[1] and "gợi ý: " in at_night[1]
    assert run(api, DEV_ADMIN_TOKEN, "list", "--state", "draft")[1].count("Lịch tiếp công dân") == 0


def test_cli_without_a_credential_is_refused(api):
    code, said = run(api, "", "list")
    assert code == 1 and "Unauthorized" in said
