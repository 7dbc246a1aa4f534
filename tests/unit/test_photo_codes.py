"""Reading the receipt's QR code from a citizen's photo (photo_codes.py), on generated receipt photos."""

from __future__ import annotations

import io

import pytest
import qrcode
from PIL import Image

from functions import status_link
from functions.photo_codes import (
    MAX_PHOTOS_PER_MESSAGE,
    PhotoReader,
    _grey_picture,
    attachment_urls,
    codes_in_photo,
    qr_texts,
)
from functions.ports import ImageUnavailable
from tests.receipt_photos import Shot, blank_photo, garbage_photo, photograph, receipt

CODE = "000.00.12.H46-241125-0003"
LINK = status_link.url("https://dichvucong.quangtri.gov.vn", CODE, "khoá-thử")


@pytest.fixture(scope="module")
def page() -> Image.Image:
    return receipt(LINK, CODE)


@pytest.mark.parametrize(
    "shot",
    [
        Shot(),
        Shot(rotate=7),
        Shot(rotate=-7),
        Shot(rotate=90),
        Shot(rotate=180),
        Shot(scale=0.35),  # a small upload: about 3 px per QR module
        Shot(scale=2.5),  # a 13 MP phone photo
        Shot(noise=40),
        Shot(blur=2.0),
        Shot(quality=20),
        Shot(dim=0.55, noise=20),
        Shot(rotate=-12, scale=0.6, blur=1.2, noise=25, quality=45),
    ],
    ids=repr,
)
def test_reasonable_photos_of_the_receipt_give_its_code(page, shot):
    assert codes_in_photo(photograph(page, shot), limit=4) == [CODE]


def test_a_receipt_far_away_in_a_12_mp_photo_is_still_read(page):
    """The QR covers 8 % of the photo's width: reading a JPEG at reduced scale must not lose it."""
    table = Image.new("RGB", (4000, 3000), (96, 80, 64))
    table.paste(page.resize((page.width * 3 // 4, page.height * 3 // 4)), (2600, 900))
    assert codes_in_photo(photograph(table, Shot(rotate=5, noise=10)), limit=4) == [CODE]


def test_the_qr_holds_the_status_link_itself(page):
    assert qr_texts(photograph(page, Shot(rotate=7))) == [LINK]


def test_a_phone_photo_stored_sideways_with_an_exif_orientation_is_read(page):
    """Large enough (3508 px) to be read at half scale too: the orientation applies after that."""
    sideways = page.resize((page.width * 2, page.height * 2)).rotate(-90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 8  # "rotate 90 CW to view": phones store the sensor's pixels and this tag
    out = io.BytesIO()
    sideways.save(out, format="JPEG", quality=80, exif=exif)
    assert codes_in_photo(out.getvalue(), limit=4) == [CODE]
    assert _grey_picture(out.getvalue()).size == page.size  # upright, at half scale


def test_a_qr_of_the_bare_code_or_another_portals_url_works_too():
    for content in (CODE, f"https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html?ma={CODE}"):
        symbol = qrcode.make(content).get_image().convert("RGB")
        out = io.BytesIO()
        symbol.save(out, format="PNG")
        assert codes_in_photo(out.getvalue(), limit=4) == [CODE]


def test_two_receipts_in_one_photo_give_both_codes(page):
    other_code = "000.00.12.H46-241125-0004"
    other = receipt(status_link.url("https://dichvucong.quangtri.gov.vn", other_code, "k"), other_code)
    both = Image.new("RGB", (page.width * 2 + 40, page.height), "white")
    both.paste(page, (0, 0))
    both.paste(other, (page.width + 40, 0))
    found = codes_in_photo(photograph(both, Shot(scale=0.6)), limit=4)
    assert sorted(found) == [CODE, other_code]


@pytest.mark.parametrize(
    "data",
    [
        blank_photo(),
        garbage_photo(),
        b"",
        b"not a picture at all",
        b"\xff\xd8\xff\xe0" + b"\x00" * 100,  # a JPEG that stops after its first marker
    ],
    ids=["blank wall", "random pixels", "empty", "text", "truncated jpeg"],
)
def test_unreadable_pictures_give_nothing_and_never_raise(data):
    assert qr_texts(data) == []
    assert codes_in_photo(data, limit=4) == []


def test_only_photo_formats_are_opened(page):
    for fmt, readable in (("WEBP", True), ("TIFF", False), ("BMP", False)):
        out = io.BytesIO()
        page.save(out, format=fmt)
        assert (codes_in_photo(out.getvalue(), limit=4) == [CODE]) is readable, fmt


def test_a_truncated_photo_of_the_receipt_gives_nothing(page):
    whole = photograph(page, Shot())
    assert codes_in_photo(whole[: len(whole) // 3], limit=4) == []


def test_a_decompression_bomb_is_refused_before_decoding():
    out = io.BytesIO()
    Image.new("1", (8_000, 8_000), 1).save(out, format="PNG")  # 64 MP, a few kB on the wire
    assert len(out.getvalue()) < 100_000
    assert qr_texts(out.getvalue()) == []


def test_a_qr_without_a_dossier_code_is_read_but_gives_no_code():
    symbol = qrcode.make("https://shop.example.vn/khuyen-mai").get_image()
    out = io.BytesIO()
    symbol.save(out, format="PNG")
    assert qr_texts(out.getvalue()) == ["https://shop.example.vn/khuyen-mai"]
    assert codes_in_photo(out.getvalue(), limit=4) == []


# --- PhotoReader: the event's pictures, fetched and read -----------------------------------------


def image_message(*urls: str, other: tuple[dict, ...] = ()) -> dict:
    attachments = [{"type": "image", "payload": {"url": u, "thumbnail": u}} for u in urls]
    return {"msg_id": "m1", "text": "", "attachments": [*attachments, *other]}


def test_attachment_urls_takes_only_image_attachments():
    message = image_message(
        "https://zalo.example/a.jpg",
        other=({"type": "sticker", "payload": {"url": "https://zalo.example/s"}}, {"type": "image"}, "junk"),
    )
    assert attachment_urls(message) == ["https://zalo.example/a.jpg"]
    assert attachment_urls(message, "sticker") == ["https://zalo.example/s"]
    assert attachment_urls({"attachments": "nope"}) == []
    assert attachment_urls({}) == []


def test_reader_fetches_each_photo_and_says_whether_any_qr_was_read(page):
    photos = {
        "https://zalo.example/1.jpg": blank_photo(),
        "https://zalo.example/2.jpg": photograph(page, Shot()),
    }
    reader = PhotoReader(photos.__getitem__)

    found = reader.read(image_message(*photos), limit=4)
    assert found.codes == [CODE] and found.read_any_qr
    nothing = reader.read(image_message("https://zalo.example/1.jpg"), limit=4)
    assert nothing.codes == [] and not nothing.read_any_qr


def test_a_photo_that_cannot_be_fetched_is_skipped_and_others_still_count(page):
    def fetch(url: str) -> bytes:
        if "broken" in url:
            raise ImageUnavailable("too_large")
        return photograph(page, Shot())

    found = PhotoReader(fetch).read(
        image_message("https://zalo.example/broken", "https://zalo.example/ok"), 4
    )
    assert found.codes == [CODE]


def test_at_most_a_few_photos_per_message_are_fetched():
    fetched: list[str] = []

    def fetch(url: str) -> bytes:
        fetched.append(url)
        return blank_photo((200, 200))

    PhotoReader(fetch).read(image_message(*(f"https://zalo.example/{i}.jpg" for i in range(10))), 4)
    assert len(fetched) == MAX_PHOTOS_PER_MESSAGE


def test_no_photo_is_started_once_the_message_budget_is_spent(page):
    now = [0.0]
    fetched: list[str] = []

    def slow_fetch(url: str) -> bytes:
        fetched.append(url)
        now[0] += 7.0  # each download takes 7 s
        return blank_photo((200, 200))

    reader = PhotoReader(slow_fetch, budget_seconds=12.0, clock=lambda: now[0])
    reader.read(image_message(*(f"https://zalo.example/{i}.jpg" for i in range(3))), 4)
    assert len(fetched) == 2  # started at 0 s and 7 s; at 14 s the budget is spent
