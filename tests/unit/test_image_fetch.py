"""The bounded download of a citizen's photo (image_fetch.py): size, type, scheme and HTTP failures."""

from __future__ import annotations

import pytest
import requests
import responses

from functions.image_fetch import ImageDownloader
from functions.ports import ImageUnavailable

URL = "https://photo-stal.zadn.vn/jpg/receipt.jpg"
JPEG = b"\xff\xd8\xff\xe0" + b"x" * 2000


@pytest.fixture
def http():
    with responses.RequestsMock() as mock:
        yield mock


def reason(fetch: ImageDownloader, url: str = URL) -> str:
    with pytest.raises(ImageUnavailable) as caught:
        fetch(url)
    return caught.value.reason


def test_a_photo_within_limits_is_returned_whole(http):
    http.get(URL, body=JPEG, content_type="image/jpeg")
    assert ImageDownloader(max_bytes=len(JPEG))(URL) == JPEG
    assert http.calls[0].request.headers["Accept"] == "image/*"


def test_too_large_by_its_declared_length(http):
    http.get(URL, body=JPEG, content_type="image/jpeg", headers={"Content-Length": str(10**9)})
    assert reason(ImageDownloader(max_bytes=1000)) == "too_large"


def test_too_large_while_streaming_without_a_declared_length(http):
    http.get(URL, body=b"x" * 1400, content_type="image/jpeg", auto_calculate_content_length=False)
    assert "Content-Length" not in requests.get(URL, timeout=1).headers
    assert reason(ImageDownloader(max_bytes=1000)) == "too_large"


def test_too_slow_in_total(http):
    http.get(URL, body=JPEG, content_type="image/jpeg")
    assert reason(ImageDownloader(total_seconds=-1.0)) == "too_slow"


@pytest.mark.parametrize(
    ("status", "content_type", "expected"),
    [(404, "image/jpeg", "http_404"), (500, "text/plain", "http_500"), (200, "text/html", "not_an_image")],
)
def test_answers_that_are_not_a_photo(http, status, content_type, expected):
    http.get(URL, body=b"<html>", status=status, content_type=content_type)
    assert reason(ImageDownloader()) == expected


def test_an_empty_body(http):
    http.get(URL, body=b"", content_type="image/jpeg")
    assert reason(ImageDownloader()) == "empty"


def test_network_failures(http):
    http.get(URL, body=requests.ConnectTimeout("slow"))
    assert reason(ImageDownloader()) == "unreachable:ConnectTimeout"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.vn/a.jpg", "https://", "not a url", ""])
def test_only_http_urls_are_fetched(http, url):
    assert reason(ImageDownloader(), url) == "bad_url"
    assert len(http.calls) == 0
