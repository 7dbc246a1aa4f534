"""The Vietnamese texts of the citizen's own account in chat: sharing the phone, "hồ sơ của tôi",
stopping and restarting notices, withdrawing the link (citizen_links.py decides which one to send).

Kept beside messages.py (lookups and notices) with the same rules: NFC, at most 2,000 characters,
phones only masked, names only masked, nothing about a dossier its owner's phone does not prove.
"""

from __future__ import annotations

from functions import messages
from functions.dossier import Dossier
from functions.messages import _finish, _line
from functions.privacy import mask_name, mask_phone
from functions.statuses import from_code

CARD_TITLE_MAX = 100  # request_user_info element title (zalo-api.md §2.2)
CARD_SUBTITLE_MAX = 500

COMMANDS_HELP = (
    "Các lệnh Ông/Bà có thể gửi:\n"
    "• “hồ sơ của tôi”: xem các hồ sơ đang giải quyết của số điện thoại đã chia sẻ\n"
    "• “dừng”: dừng nhận thông báo trạng thái hồ sơ; “dừng <mã hồ sơ>”: chỉ dừng cho hồ sơ đó\n"
    "• “bắt đầu”: nhận lại thông báo\n"
    "• “xoá số điện thoại”: huỷ liên kết số điện thoại với tài khoản Zalo này\n"
    "• “hướng dẫn”: xem lại hướng dẫn này"
)


def ask_phone_card(province_name: str) -> tuple[str, str]:
    """Title and subtitle of the request_user_info card: what is asked, why, and how to take it back."""
    title = "Chia sẻ số điện thoại để theo dõi hồ sơ"
    subtitle = (
        f"Dịch vụ công {_line(province_name, 100)} dùng số điện thoại Ông/Bà chia sẻ chỉ để tìm các hồ sơ "
        "đăng ký với số này và để Ông/Bà chọn nhận hay dừng thông báo trạng thái hồ sơ. "
        "Có thể huỷ bất cứ lúc nào bằng cách gửi “xoá số điện thoại”."
    )
    return _line(title, CARD_TITLE_MAX), _line(subtitle, CARD_SUBTITLE_MAX)


def help_reply() -> str:
    return _finish(f"{messages.howto_reply()}\n\n{COMMANDS_HELP}")


def linked_reply(phone: str, open_dossiers: int) -> str:
    count = (
        f"Số này đang có {open_dossiers} hồ sơ đang giải quyết: gửi “hồ sơ của tôi” để xem."
        if open_dossiers
        else "Hiện chưa có hồ sơ đang giải quyết nào đăng ký với số này."
    )
    return _finish(
        f"Đã liên kết số điện thoại {mask_phone(phone)} với tài khoản Zalo này.\n{count}\n"
        "Gửi “dừng” để dừng nhận thông báo, “xoá số điện thoại” để huỷ liên kết."
    )


def invalid_phone_reply() -> str:
    return _finish(
        "Số điện thoại Ông/Bà chia sẻ không phải số di động Việt Nam hợp lệ nên chưa được liên kết. "
        "Ông/Bà vui lòng kiểm tra số điện thoại trong tài khoản Zalo và chia sẻ lại."
    )


def phone_needed_reply(purpose: str) -> str:
    """`purpose`: what the phone is needed for, e.g. "xem hồ sơ của mình"."""
    return _finish(
        f"Để {purpose}, Ông/Bà vui lòng chia sẻ số điện thoại đã đăng ký khi nộp hồ sơ "
        "(bấm “Chia sẻ” trên thẻ bên dưới)."
    )


def my_dossiers_reply(phone: str, dossiers: list[Dossier], more: int) -> str:
    """The open dossiers of the linked phone, as many as fit; the rest counted in the last line."""
    if not dossiers:
        return _finish(f"Không có hồ sơ đang giải quyết nào đăng ký với số {mask_phone(phone)}.")
    head = f"Hồ sơ đang giải quyết của số {mask_phone(phone)}:"
    blocks: list[str] = []
    for number, dossier in enumerate(dossiers, start=1):
        candidate = [*blocks, _dossier_block(number, dossier)]
        if len(_listing(head, candidate, more + len(dossiers) - len(candidate))) > messages.TEXT_MAX:
            break
        blocks = candidate
    return _finish(_listing(head, blocks, more + len(dossiers) - len(blocks)))


def stopped_all_reply(phone: str) -> str:
    if not phone:
        return _finish(
            "Đã ghi nhận yêu cầu dừng nhận thông báo. Để yêu cầu có hiệu lực, Ông/Bà vui lòng chia sẻ số "
            "điện thoại đã đăng ký khi nộp hồ sơ (bấm “Chia sẻ” trên thẻ bên dưới)."
        )
    return _finish(
        f"Đã dừng gửi thông báo trạng thái hồ sơ qua Zalo cho số {mask_phone(phone)}. "
        "Gửi “bắt đầu” để nhận lại."
    )


def stopped_codes_reply(stopped: list[str], not_theirs: list[str]) -> str:
    lines = [f"Đã dừng thông báo cho hồ sơ {code}. Gửi “bắt đầu {code}” để nhận lại." for code in stopped]
    lines += [
        f"Hồ sơ {_line(code, 40)} không đăng ký với số điện thoại Ông/Bà đã chia sẻ nên không thể dừng "
        "thông báo từ đây. Ông/Bà vui lòng liên hệ nơi nộp hồ sơ."
        for code in not_theirs
    ]
    return _finish("\n".join(lines))


def started_all_reply() -> str:
    return _finish(
        "Đã bật lại thông báo trạng thái hồ sơ qua Zalo cho các hồ sơ Ông/Bà đã đăng ký nhận thông báo "
        "khi nộp. Gửi “dừng” để dừng."
    )


def started_codes_reply(codes: list[str], still_stopped_all: bool) -> str:
    lines = [f"Đã bật lại thông báo cho hồ sơ {code}." for code in codes]
    if still_stopped_all:
        lines.append("Ông/Bà đang dừng mọi thông báo: gửi “bắt đầu” để nhận lại thông báo của mọi hồ sơ.")
    return _finish("\n".join(lines))


def withdrawn_reply(phone: str) -> str:
    what = f"số điện thoại {mask_phone(phone)} và các" if phone else "các"
    return _finish(
        f"Đã xoá {what} lựa chọn nhận thông báo khỏi tài khoản Zalo này.\n"
        "Thông báo trạng thái của các hồ sơ đã đăng ký nhận qua Zalo khi nộp vẫn được gửi tới số điện "
        "thoại đó; để dừng, Ông/Bà có thể chia sẻ lại số điện thoại rồi gửi “dừng”, hoặc liên hệ nơi nộp "
        "hồ sơ."
    )


def nothing_to_withdraw_reply() -> str:
    return _finish("Tài khoản Zalo này chưa liên kết số điện thoại nào nên không có gì để xoá.")


def _dossier_block(number: int, dossier: Dossier) -> str:
    status = from_code(dossier.status)
    lines = [f"{number}. {_line(dossier.code, 40)}"]
    if dossier.procedure_name:
        lines.append(f"Thủ tục: {_line(dossier.procedure_name, 120)}")
    if dossier.applicant_name:
        lines.append(f"Chủ hồ sơ: {_line(mask_name(dossier.applicant_name), 80)}")
    lines.append(f"Trạng thái: {status.short_label if status else 'Đang cập nhật'}")
    return "\n".join(lines)


def _listing(head: str, blocks: list[str], hidden: int) -> str:
    text = "\n\n".join([head, *blocks])
    if hidden > 0:
        text += f"\n\n… và {hidden} hồ sơ khác. Gửi mã hồ sơ để xem chi tiết từng hồ sơ."
    return text
