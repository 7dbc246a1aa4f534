"""`python -m cli.officials`: the officials' command line over the announcements API.

Not Lambda code (it is never packaged): it talks HTTP to the API like any other client.
Where and who: `--api` / DVC_API_URL (default http://127.0.0.1:8000, the local stack), and either a
dev token (`--token` / DVC_TOKEN, sent as "Bearer …"; locally dev-official-token = can-bo-1,
dev-official-token-2 = can-bo-2) or a Cognito ID token (`--id-token` / DVC_ID_TOKEN, from `login`).

Examples:
  python -m cli.officials draft --title "Lịch tiếp công dân" --summary "…" --link https://… --cities 4
  python -m cli.officials schedule 3f2a… "2026-12-01 08:00"
  DVC_TOKEN=dev-official-token-2 python -m cli.officials approve 3f2a…
  python -m cli.officials list --state sent --date 2026-12-01
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

import requests

from cli.cognito_login import LoginFailed, sign_in

DEFAULT_API = "http://127.0.0.1:8000"
TARGET_FLAGS = {
    "cities": "mã tỉnh/thành Zalo 0–62, cách nhau bởi dấu phẩy",
    "ages": "nhóm tuổi Zalo 0–7",
    "gender": "0 tất cả, 1 nam, 2 nữ",
    "platform": "1 iOS, 2 Android, 3 Windows Phone",
}


class Api:
    def __init__(self, base_url: str, authorization: str, session: requests.Session | None = None) -> None:
        self.base = base_url.rstrip("/") + "/admin/announcements"
        self.headers = {"Authorization": authorization} if authorization else {}
        self.http = session or requests.Session()

    def __call__(self, method: str, path: str = "", **kwargs: Any) -> requests.Response:
        return self.http.request(method, f"{self.base}{path}", headers=self.headers, timeout=30, **kwargs)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cli.officials", description="Thông báo tuyên truyền qua Zalo OA"
    )
    parser.add_argument("--api", default=os.environ.get("DVC_API_URL", DEFAULT_API))
    parser.add_argument("--token", default=os.environ.get("DVC_TOKEN", ""), help="dev bearer token")
    parser.add_argument("--id-token", default=os.environ.get("DVC_ID_TOKEN", ""), help="Cognito ID token")
    parser.add_argument("--json", action="store_true", help="print the API's JSON answer")
    commands = parser.add_subparsers(dest="command", required=True)

    draft = commands.add_parser("draft", help="soạn thông báo (bản nháp)")
    draft.add_argument("--title", required=True)
    draft.add_argument("--summary", required=True)
    draft.add_argument("--link", required=True)
    draft.add_argument("--cover", default="", help="ảnh bìa https://")
    draft.add_argument("--at", default="", help="lên lịch luôn: 'yyyy-mm-dd HH:MM' giờ Việt Nam, hoặc 'now'")
    for name, meaning in TARGET_FLAGS.items():
        draft.add_argument(f"--{name}", default="", help=meaning)

    for name, meaning in (
        ("preview", "xem trước đúng nội dung người dân nhận"),
        ("show", "xem thông báo và kết quả gửi"),
        ("audit", "nhật ký thao tác"),
        ("approve", "phê duyệt (cán bộ khác người soạn)"),
    ):
        commands.add_parser(name, help=meaning).add_argument("id")
    schedule = commands.add_parser("schedule", help="lên lịch gửi")
    schedule.add_argument("id")
    schedule.add_argument("at", help="'yyyy-mm-dd HH:MM' giờ Việt Nam, ISO 8601, hoặc 'now'")
    cancel = commands.add_parser("cancel", help="hủy trước khi gửi")
    cancel.add_argument("id")
    cancel.add_argument("--reason", default="")
    listing = commands.add_parser("list", help="danh sách")
    listing.add_argument("--state", default="")
    listing.add_argument("--date", default="", help="yyyy-mm-dd (ngày gửi, giờ Việt Nam)")

    login = commands.add_parser("login", help="đăng nhập Cognito, in ra ID token (AWS)")
    login.add_argument("--client-id", default=os.environ.get("DVC_COGNITO_CLIENT_ID", ""), required=False)
    login.add_argument("--username", required=True)
    login.add_argument("--region", default=os.environ.get("AWS_REGION", "ap-southeast-1"))
    return parser


def _request(args: argparse.Namespace, api: Api) -> requests.Response:
    command, aid = args.command, getattr(args, "id", "")
    if command == "draft":
        body: dict[str, Any] = {"title": args.title, "summary": args.summary, "link": args.link}
        body["cover_url"] = args.cover
        body["target"] = {name: getattr(args, name) for name in TARGET_FLAGS if getattr(args, name)}
        if args.at:
            body["send_at"] = args.at
        return api("POST", json=body)
    if command == "list":
        params = {k: v for k, v in (("state", args.state), ("date", args.date)) if v}
        return api("GET", params=params)
    if command == "schedule":
        return api("POST", f"/{aid}/schedule", json={"send_at": args.at})
    if command == "cancel":
        return api("POST", f"/{aid}/cancel", json={"reason": args.reason})
    if command == "approve":
        return api("POST", f"/{aid}/approve", json={})
    suffix = {"show": "", "preview": "/preview", "audit": "/audit"}[command]
    return api("GET", f"/{aid}{suffix}")


def _line(a: dict[str, Any]) -> str:
    when = a.get("send_at") or "chưa hẹn giờ"
    hold = f" — {a['hold_reason']}" if a.get("hold_reason") else ""
    return f"{a['id']}  {a['state_vi']:<30}  {when}  {a['title']}{hold}"


def _show(a: dict[str, Any]) -> str:
    outcome = a["outcome"]
    rows = [
        ("Mã", a["id"]),
        ("Tiêu đề", a["title"]),
        ("Trạng thái", a["state_vi"]),
        ("Giờ gửi", a.get("send_at") or "chưa hẹn giờ"),
        ("Người soạn", a["author"]),
        ("Người phê duyệt", ", ".join(a["approvers"]) or "chưa có"),
        ("Đang chờ", a.get("hold_reason") or ""),
        ("Đã gửi lúc", outcome.get("sent_at") or ""),
        ("Mã tin Zalo", outcome.get("zalo_message_id") or ""),
        ("Lỗi", outcome.get("error") or ""),
    ]
    return "\n".join(f"{label + ':':<17}{value}" for label, value in rows if value)


def _render(command: str, data: dict[str, Any]) -> str:
    if command == "list":
        return "\n".join(_line(a) for a in data["items"]) or "Không có thông báo nào."
    if command == "audit":
        return "\n".join(
            f"{e['at']}  {e['actor']:<14} {e['action']:<18} {json.dumps(e['details'], ensure_ascii=False)}"
            for e in data["items"]
        )
    if command == "preview":
        return json.dumps(data, ensure_ascii=False, indent=2)
    return _show(data)


def _explain(answer: requests.Response) -> str:
    """The API's refusal, Vietnamese first, English beside."""
    try:
        data = answer.json()
    except ValueError:
        return f"HTTP {answer.status_code}"
    problems = data.get("problems") or [data]
    lines = []
    for p in problems:
        message = p.get("message") or p.get("Message") or str(p)
        english = f" ({p['message_en']})" if p.get("message_en") else ""
        hint = f" → gợi ý: {p['suggestion']}" if p.get("suggestion") else ""
        lines.append(f"{p.get('field', p.get('error', 'lỗi'))}: {message}{english}{hint}")
    return "\n".join(lines)


def _login(args: argparse.Namespace, out: TextIO) -> int:
    """Cognito sign-in (new password, authenticator set-up, TOTP code) → the ID token for --id-token."""
    import boto3

    def ask(prompt: str, secret: bool) -> str:
        return getpass.getpass(prompt) if secret else input(prompt)

    cognito = boto3.client("cognito-idp", region_name=args.region)
    try:
        token = sign_in(cognito, args.client_id, args.username, ask)
    except (LoginFailed, cognito.exceptions.NotAuthorizedException) as error:
        print(f"Đăng nhập không thành công: {error}", file=out)
        return 1
    print(token, file=out)
    return 0


def main(
    argv: Sequence[str] | None = None, out: TextIO = sys.stdout, session: requests.Session | None = None
) -> int:
    args = _parser().parse_args(argv)
    if args.command == "login":
        return _login(args, out)
    authorization = args.id_token or (f"Bearer {args.token}" if args.token else "")
    try:
        answer = _request(args, Api(args.api, authorization, session))
    except requests.RequestException as error:
        print(f"Không kết nối được API {args.api}: {type(error).__name__}", file=out)
        return 2
    if answer.status_code >= 400:
        print(_explain(answer), file=out)
        return 1
    data = answer.json()
    print(
        json.dumps(data, ensure_ascii=False, indent=2) if args.json else _render(args.command, data), file=out
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
