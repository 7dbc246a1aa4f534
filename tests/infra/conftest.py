"""Synthesize the CDK app once per test session, offline, the way `cdk synth` runs it.

`cdk synth` only starts `python infra/app.py` with CDK_OUTDIR and CDK_CONTEXT_JSON set; we do the
same in a subprocess (not in-process: chalice.cdk imports the app and writes the stage's environment
into os.environ while packaging, which must not leak into the other tests). Both stages are
synthesized, ~10 s each on an idle 2-core machine; chalice's package cache (.chalice/deployments)
makes later runs reuse the dependency zip. jsii starts Node.js (scripts/ensure-node).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROD_CONTEXT = {
    "stage": "prod",
    "region": "ap-southeast-1",
    "alarm_email": "truc-van-hanh@example.gov.vn",
    "mcdt_principal": "arn:aws:iam::210987654321:role/mcdt-one-stop",
    "mcdt_external_id": "qt-mcdt-7f3a9c",
    "public_base_url": "https://dvc-zalo.example.gov.vn",
    "zalo_app_id": "1234567890123456789",
    "zalo_oa_id": "987654321012345678",
    "zalo_template_status": "305123",
    "province_name": "tỉnh Quảng Trị",
}
DEV_CONTEXT = {"stage": "dev", "region": "ap-southeast-1"}
# What the stack passes as OFFICIALS_USER_POOL_ARN is a token; any pool ARN declares the same app.
POOL_ARN = "arn:aws:cognito-idp:ap-southeast-1:000000000000:userpool/ap-southeast-1_Placeholder"
_PACKAGED_PROBE = """
import json
from functions.main import app
handlers = [e.handler_string for e in app.event_sources]
handlers += [a.handler_string for a in app.builtin_auth_handlers]
handlers += [f.handler_string for f in app.pure_lambda_functions]
handlers += ["app.app"] if app.routes else []  # every route is served by Chalice's one api_handler
routes = {
    path: {method: entry.authorizer and entry.authorizer.name for method, entry in methods.items()}
    for path, methods in app.routes.items()
}
views = [entry.view_name for methods in app.routes.values() for entry in methods.values()]
facts = {"handlers": handlers, "routes": routes, "handler_map": list(app.handler_map), "views": views}
print(json.dumps(facts))
"""


@dataclass(frozen=True)
class Synth:
    stage: str
    template_path: Path
    template: dict
    seconds: float

    def resources(self, kind: str) -> dict[str, dict]:
        return {k: v for k, v in self.template["Resources"].items() if v["Type"] == kind}


@cache
def packaged_app() -> dict:
    """The handlers and route authorizers of functions.main as the stack packages it: with a user pool
    (no dev-token authorizer). Imported in a subprocess: the env variable is read at import."""
    env = {**os.environ, "OFFICIALS_USER_POOL_ARN": POOL_ARN}
    result = subprocess.run(
        [sys.executable, "-c", _PACKAGED_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout)


def ref_id(value: dict) -> str:
    """The logical id behind {"Ref": id} or {"Fn::GetAtt": [id, attr]}."""
    return value["Ref"] if "Ref" in value else value["Fn::GetAtt"][0]


def _start(context: dict, workdir: Path) -> subprocess.Popen:
    if shutil.which("node") is None:
        pytest.fail(
            "Node.js is needed by aws-cdk-lib (jsii): run `bash scripts/ensure-node` (make test does)"
        )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(workdir)),
        "AWS_DEFAULT_REGION": context["region"],
        "CDK_OUTDIR": str(workdir / "cdk.out"),
        "CDK_CONTEXT_JSON": json.dumps(context),
        "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
    }
    return subprocess.Popen(
        [sys.executable, str(ROOT / "infra" / "app.py")],
        cwd=workdir,  # chalice.cdk writes its chalice.out/ into the working directory
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture(scope="session")
def synths(tmp_path_factory) -> dict[str, Synth]:
    """One after the other: chalice writes its cached dependency zip in place, so two packagings at
    once on a cold cache (a fresh clone) could hand one of them a half-written zip."""
    done = {}
    for context in (PROD_CONTEXT, DEV_CONTEXT):
        stage = context["stage"]
        workdir = tmp_path_factory.mktemp(f"synth-{stage}")
        started = time.monotonic()
        process = _start(context, workdir)
        output, _ = process.communicate(timeout=600)
        assert process.returncode == 0, output[-4000:]
        path = workdir / "cdk.out" / f"{stage}.template.json"
        done[stage] = Synth(stage, path, json.loads(path.read_text()), time.monotonic() - started)
    return done


@pytest.fixture(scope="session")
def prod(synths) -> Synth:
    return synths["prod"]


@pytest.fixture(scope="session")
def dev(synths) -> Synth:
    return synths["dev"]
