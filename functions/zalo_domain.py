"""Zalo's domain verification file ("Xác thực domain", zalo-api.md §1.1).

Zalo refuses a webhook URL on a domain the App has not verified. One way to verify is to serve, at
the domain's root, the file Zalo names in the console: `zalo_verifier<CODE>.html`, whose page carries
`<meta property="zalo-platform-site-verification" content="<CODE>">`. The operator configures the
file name (and, if Zalo's file ever differs, its exact content); every other name is a 404.
"""

from __future__ import annotations

import html
import re

_FILE_NAME = re.compile(r"zalo_verifier(?P<code>[A-Za-z0-9_-]+)\.html")


def verification_page(requested: str, configured_name: str, configured_content: str = "") -> str | None:
    """The page to serve for `requested`, or None when it is not the configured verification file."""
    if not configured_name or requested != configured_name:
        return None
    if configured_content:
        return configured_content
    match = _FILE_NAME.fullmatch(configured_name)
    if match is None:
        return None  # a name that is not Zalo's and no content: nothing sensible to serve
    code = html.escape(match["code"], quote=True)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n'
        f'    <meta property="zalo-platform-site-verification" content="{code}" />\n'
        "</head>\n<body>\nThere Is No Limit To What You Can Accomplish Using Zalo!\n</body>\n</html>\n"
    )
