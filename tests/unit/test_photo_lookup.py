"""A photo of the receipt, or a shared status link, in the chat is answered like the typed code."""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC, datetime

import qrcode

from functions import messages, status_link
from functions.photo_codes import PhotoReader
from functions.ports import ImageUnavailable
from functions.zalo_events import EventWorker
from tests.factories import make_dossier
from tests.fakes.chat import make_worker
from tests.receipt_photos import Shot, blank_photo, photograph, receipt

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
USER = "8765432109876543210"
PHOTO_URL = "https://photo-stal.zadn.vn/jpg/abc.jpg"


def worker(photos: dict[str, bytes], *dossiers) -> EventWorker:
    def fetch(url: str) -> bytes:
        if url not in photos:
            raise ImageUnavailable("http_404")
        return photos[url]

    return make_worker(
        *dossiers,
        status_url=lambda code: f"https://dvc.example.vn/tra-cuu/{code}?k=x",
        photos=PhotoReader(fetch),
    )


def image_event(url: str = PHOTO_URL, caption: str = "") -> dict:
    return {
        "event": {
            "event_name": "user_send_image",
            "sender": {"id": USER},
            "message": {
                "msg_id": "m-img",
                "text": caption,
                "attachments": [{"type": "image", "payload": {"url": url, "thumbnail": url}}],
            },
        }
    }


PHONE_SHOT = Shot(rotate=7, noise=20, quality=60)


def receipt_photo(code: str) -> bytes:
    return photograph(receipt(status_link.url("https://dvc.example.vn", code, "k"), code), PHONE_SHOT)


def texts(w: EventWorker) -> list[str]:
    return [sent["text"] for sent in w.zalo.sent("send_text")]


def test_a_photo_of_the_receipt_gets_the_same_card_as_the_typed_code():
    dossier = make_dossier(status=9)
    by_photo = worker({PHOTO_URL: receipt_photo(dossier.code)}, dossier)
    by_text = worker({}, dossier)

    assert by_photo.handle(image_event()) == "answered"
    by_text.handle(
        {"event": {"event_name": "user_send_text", "sender": {"id": USER}, "message": {"text": dossier.code}}}
    )
    assert texts(by_photo) == texts(by_text)
    assert "Nơi nhận kết quả" in texts(by_photo)[0]
    assert by_photo.citizens.get(USER).last_interaction_at == NOW


def test_a_photo_of_an_unknown_dossier_says_not_found():
    w = worker({PHOTO_URL: receipt_photo("000.00.12.H46-241125-0999")})
    w.handle(image_event())
    assert texts(w) == [messages.unknown_code_reply("000.00.12.H46-241125-0999")]


def test_an_unreadable_photo_asks_for_a_clearer_one_or_the_typed_code():
    w = worker({PHOTO_URL: blank_photo()})
    w.handle(image_event())
    [reply] = texts(w)
    assert reply == messages.unreadable_photo_reply()
    assert "chụp lại" in reply and messages.EXAMPLE_CODE in reply
    for text in (reply, messages.unreadable_photo_reply(found_other_qr=True)):
        assert unicodedata.is_normalized("NFC", text) and len(text) <= messages.TEXT_MAX


def test_a_qr_that_is_not_a_receipts_says_so():
    symbol = qrcode.make("https://shop.example.vn/khuyen-mai").get_image()
    out = io.BytesIO()
    symbol.save(out, format="PNG")
    w = worker({PHOTO_URL: out.getvalue()})
    w.handle(image_event())
    assert texts(w) == [messages.unreadable_photo_reply(found_other_qr=True)]


def test_a_photo_that_cannot_be_downloaded_gets_the_same_request():
    w = worker({})
    w.handle(image_event("https://photo-stal.zadn.vn/jpg/gone.jpg"))
    assert texts(w) == [messages.unreadable_photo_reply()]


def test_a_code_in_the_caption_is_answered_even_when_the_photo_is_unreadable():
    dossier = make_dossier(status=4)
    w = worker({PHOTO_URL: blank_photo()}, dossier)
    w.handle(image_event(caption=f"hồ sơ {dossier.code}"))
    [reply] = texts(w)
    assert reply.startswith(f"Hồ sơ {dossier.code}")


def test_without_a_photo_reader_the_citizen_is_asked_for_the_typed_code():
    w = make_worker()
    w.handle(image_event())
    assert texts(w) == [messages.unreadable_photo_reply()]


def test_a_shared_status_page_link_is_answered_like_the_code():
    dossier = make_dossier(status=4)
    url = status_link.url("https://dvc.example.vn", dossier.code, "k")
    w = worker({}, dossier)
    event = {
        "event": {
            "event_name": "user_send_link",
            "sender": {"id": USER},
            "message": {
                "msg_id": "m-link",
                "text": "",
                "attachments": [{"type": "link", "payload": {"url": url, "description": "Tra cứu hồ sơ"}}],
            },
        }
    }
    assert w.handle(event) == "answered"
    [reply] = texts(w)
    assert reply.startswith(f"Hồ sơ {dossier.code}")
