"""CDK entry point (`cdk synth` / `cdk deploy` run it from infra/; see infra/README.md).

    cdk deploy -c stage=prod -c alarm_email=ops@example.gov.vn ...

The Chalice app is packaged by chalice.cdk in this process (`chalice package` under the hood),
for the Lambda runtime the stack pins (python3.12).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (str(ROOT), str(ROOT / "infra")):
    if path not in sys.path:
        sys.path.insert(0, path)

import aws_cdk as cdk  # noqa: E402
from stacks.deploy_config import DeployConfig  # noqa: E402
from stacks.service import DvcZaloStack  # noqa: E402


def main() -> cdk.App:
    app = cdk.App()
    config = DeployConfig.from_context(app.node.try_get_context)
    DvcZaloStack(app, config)
    app.synth()
    return app


if __name__ == "__main__":
    main()
