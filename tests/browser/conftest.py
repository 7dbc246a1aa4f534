"""Headless Chromium for the Zalo simulator's citizen page, on the session's local stack.

The stack (`stack`, `sim`, `api`) comes from tests/conftest.py, so e2e and browser tests share one.
The browser is Debian's `chromium` + `chromium-driver` (scripts/ensure-browser installs them):
Selenium Manager is never asked to download one, since CI reaches no browser download site.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.citizen_page import CitizenPage
from tests.browser.status_page import StatusPage

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PHONE_WINDOW = (412, 915)  # CSS pixels of a common Android phone
CHROME_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=vi-VN",
)


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    if missing:
        pytest.skip(
            f"browser tests need {' and '.join(missing)}: run scripts/ensure-browser as root, "
            "or `sudo apt-get install chromium chromium-driver`"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    workdir = tmp_path_factory.mktemp("chromium")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={workdir / 'profile'}")
    options.add_argument("--window-size={},{}".format(*PHONE_WINDOW))
    # Desktop Chrome will not make a window narrower than 500 px: emulate the phone's viewport.
    width, height = PHONE_WINDOW
    options.add_experimental_option(
        "mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 1.0}}
    )
    service = Service(executable_path=str(CHROMEDRIVER), log_output=str(workdir / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def citizen_page(browser: Any, stack: Any, tmp_path: Path) -> Iterator[CitizenPage]:
    """The page freshly opened with no remembered citizen; a screenshot is kept after each test."""
    page = CitizenPage(browser, stack.urls["zalo"])
    page.open()
    try:
        yield page
    finally:
        _keep_screenshot(browser, tmp_path / "citizen-page.png")


@pytest.fixture
def status_page(browser: Any, stack: Any, tmp_path: Path) -> Iterator[StatusPage]:
    """The public status page on a 360 px phone; a screenshot is kept after each test."""
    page = StatusPage(browser)
    try:
        yield page
    finally:
        _keep_screenshot(browser, tmp_path / "status-page.png")
        page.close()


def _keep_screenshot(browser: Any, shot: Path) -> None:
    browser.save_screenshot(str(shot))
    print(f"screenshot: {shot}")
