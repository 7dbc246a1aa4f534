"""Commands in the OA chat: real Vietnamese inputs, with and without diacritics, typos, capitals."""

from __future__ import annotations

import pytest

from functions.commands import Command, Intent, fold, parse

CODE = "000.00.12.H46-240115-0003"
OTHER = "000.00.12.H50-250805-0001"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # help
        ("hướng dẫn", Intent.HELP),
        ("Hướng dẫn", Intent.HELP),
        ("huong dan", Intent.HELP),
        ("HUONG DAN", Intent.HELP),
        ("hướng dẫn sử dụng", Intent.HELP),
        ("huong dna", Intent.HELP),  # transposed letters
        ("help", Intent.HELP),
        ("HELP!", Intent.HELP),
        ("?", Intent.HELP),
        ("??", Intent.HELP),
        ("trợ giúp", Intent.HELP),
        # my dossiers
        ("hồ sơ của tôi", Intent.MY_DOSSIERS),
        ("Hồ sơ của tôi ạ", Intent.MY_DOSSIERS),
        ("ho so cua toi", Intent.MY_DOSSIERS),
        ("HO SO CUA TOI", Intent.MY_DOSSIERS),
        ("hồ so cua toi", Intent.MY_DOSSIERS),  # diacritics on one word only
        ("ho so cau toi", Intent.MY_DOSSIERS),  # typo
        ("hồ sơ của mình", Intent.MY_DOSSIERS),
        ("cho tôi xem hồ sơ của tôi", Intent.MY_DOSSIERS),
        ("danh sach ho so", Intent.MY_DOSSIERS),
        # stop
        ("dừng", Intent.STOP),
        ("Dừng", Intent.STOP),
        ("DỪNG", Intent.STOP),
        ("dung", Intent.STOP),
        ("dừng ạ", Intent.STOP),
        ("vui lòng dừng", Intent.STOP),
        ("STOP", Intent.STOP),
        ("Stop.", Intent.STOP),
        ("stpo", Intent.STOP),  # transposition
        ("huỷ thông báo", Intent.STOP),
        ("hủy thông báo", Intent.STOP),  # the other tone placement
        ("Huy thong bao", Intent.STOP),
        ("huy thng bao", Intent.STOP),  # a letter missing
        ("dừng nhận thông báo", Intent.STOP),
        ("tắt thông báo", Intent.STOP),
        ("không nhận thông báo", Intent.STOP),
        # start
        ("bắt đầu", Intent.START),
        ("Bắt đầu", Intent.START),
        ("bat dau", Intent.START),
        ("BAT DAU", Intent.START),
        ("bắt dầu", Intent.START),
        ("START", Intent.START),
        ("strat", Intent.START),
        ("nhận lại thông báo", Intent.START),
        # withdraw the phone link
        ("xoá số điện thoại", Intent.WITHDRAW),
        ("xóa số điện thoại", Intent.WITHDRAW),
        ("xoa so dien thoai", Intent.WITHDRAW),
        ("XÓA SĐT", Intent.WITHDRAW),
        ("xoa sdt", Intent.WITHDRAW),
        ("hủy liên kết", Intent.WITHDRAW),
        ("huy lien ket so dien thoai", Intent.WITHDRAW),
        ("rút lại đồng ý", Intent.WITHDRAW),
    ],
)
def test_commands_are_recognised(text: str, intent: Intent) -> None:
    assert parse(text) == Command(intent)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "xin chào",
        "chào anh",
        "cảm ơn",
        "ok",
        "đúng",  # "yes": folds to "dung" like "dừng", but its diacritics say otherwise
        "Dũng",  # a name, same trap
        "dùng",
        "hello",
        "hồ sơ",
        "không nhận được thông báo",  # a complaint, not an opt-out
        "tôi muốn dừng xử lý hồ sơ",  # asks the agency to stop processing: a question for a person
        "dừng xử lý là sao?",
        "hồ sơ của tôi đến đâu rồi, tôi nộp hôm qua mà chưa thấy gì, cho tôi hỏi với ạ " * 2,
        "0912345678",
    ],
)
def test_ordinary_messages_are_not_commands(text: str) -> None:
    assert parse(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"dừng {CODE}", Command(Intent.STOP, (CODE,))),
        (f"DUNG {CODE.lower()}", Command(Intent.STOP, (CODE,))),
        (f"stop {CODE}", Command(Intent.STOP, (CODE,))),
        (f"huỷ thông báo hồ sơ {CODE}", Command(Intent.STOP, (CODE,))),
        (f"dừng mã hồ sơ: {CODE} ạ", Command(Intent.STOP, (CODE,))),
        (f"dừng {CODE} {OTHER}", Command(Intent.STOP, (CODE, OTHER))),
        (f"bắt đầu {CODE}", Command(Intent.START, (CODE,))),
        (f"start {CODE}", Command(Intent.START, (CODE,))),
    ],
)
def test_stop_and_start_can_name_dossiers(text: str, expected: Command) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        CODE,
        f"hồ sơ {CODE}",
        f"hồ sơ của tôi {CODE}",  # a lookup: only stop/start take codes
        f"hướng dẫn {CODE}",
        f"hồ sơ {CODE} bị dừng xử lý à?",
        f"Hồ sơ {CODE} dừng rồi hả",
        f"https://dvc.example.gov.vn/tra-cuu/{CODE}?k=abc",
        f"xoá số điện thoại {CODE}",
    ],
)
def test_codes_win_over_commands(text: str) -> None:
    assert parse(text) is None


def test_fold_strips_every_vietnamese_mark_and_d_bar() -> None:
    assert fold("Đường  HUỶ, hủy: Thông-báo!") == "duong huy huy thong bao"
    assert fold("ＳＴＯＰ") == "stop"  # full-width letters from some keyboards
