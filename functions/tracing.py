"""X-Ray tracing of our boto3 and Zalo (requests) calls, only where it is switched on.

`aws_xray_sdk.core` costs ~150 ms to import (measured here: 140–190 ms), so it is imported only when
`XRAY_TRACING=1` — set by the deployment, where Lambda's active tracing provides the segment.
Locally and in tests there is no X-Ray daemon, so nothing is patched.
"""

from __future__ import annotations

import os
from collections.abc import Callable

PATCHED_LIBRARIES = ("boto3", "botocore", "requests")


def enable_if_configured(patch: Callable[[tuple[str, ...]], None] | None = None) -> bool:
    if os.environ.get("XRAY_TRACING") != "1":
        return False
    if patch is None:
        from aws_xray_sdk.core import patch as xray_patch

        patch = xray_patch
    patch(PATCHED_LIBRARIES)
    return True
