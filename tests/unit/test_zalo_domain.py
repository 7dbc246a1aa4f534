"""Zalo's domain-verification file is served from configuration, and nothing else is."""

from __future__ import annotations

from functions.config import Settings
from functions.zalo_domain import verification_page

NAME = "zalo_verifierMeVd6DceSpupfjWIxOznI1I4v7FuyZOgD3Gp.html"


def test_configured_name_gets_the_standard_meta_tag_page():
    page = verification_page(NAME, NAME)
    assert page is not None
    assert (
        '<meta property="zalo-platform-site-verification" content="MeVd6DceSpupfjWIxOznI1I4v7FuyZOgD3Gp"'
        in page
    )


def test_configured_content_is_served_verbatim():
    assert verification_page(NAME, NAME, "<html>exact</html>") == "<html>exact</html>"


def test_other_names_or_no_configuration_are_not_found():
    assert verification_page("zalo_verifierOTHER.html", NAME) is None
    assert verification_page(NAME, "") is None
    assert verification_page("robots.txt", "robots.txt") is None  # not Zalo's name and no content


def test_settings_read_the_verification_file_and_the_webhook_window():
    s = Settings.from_env(
        {
            "ZALO_DOMAIN_VERIFICATION_FILE": NAME,
            "ZALO_DOMAIN_VERIFICATION_CONTENT": "<html/>",
            "WEBHOOK_MAX_SKEW_SECONDS": "120",
        }
    )
    assert (s.domain_verification_file, s.domain_verification_content) == (NAME, "<html/>")
    assert s.webhook_max_skew_seconds == 120
    assert Settings.from_env({}).webhook_max_skew_seconds == 300
