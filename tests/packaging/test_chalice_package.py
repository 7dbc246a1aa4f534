"""`chalice package` must ship functions/ (through the vendor/functions symlink) and the handlers
must import from the zip alone — the only way to know a deploy will not fail on a missing module.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = ("zalo_webhook", "zalo_events", "dossier_stream", "broadcaster", "token_keeper", "official_auth")


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    if shutil.which("chalice", path=str(Path(sys.executable).parent)) is None:
        pytest.fail("chalice is not installed in this environment (requirements-dev.txt)")
    out = tmp_path_factory.mktemp("package")
    subprocess.run(
        [str(Path(sys.executable).parent / "chalice"), "package", "--stage", "dev", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=600,
        env={**os.environ, "AWS_DEFAULT_REGION": "ap-southeast-1"},
    )
    return out


def test_zip_holds_the_app_and_every_runtime_module(package):
    names = set(zipfile.ZipFile(package / "deployment.zip").namelist())
    assert "app.py" in names
    for module in sorted(p.name for p in (ROOT / "functions").glob("*.py")):
        assert f"functions/{module}" in names
    assert not any(n.startswith(("tests/", "local/", "infra/")) for n in names)
    # dev tools stay out (Chalice adds only its small runtime, chalice/app.py, not its CLI)
    assert not any(
        n.startswith(("moto/", "pytest", "_pytest/", "hypothesis/", "flask/", "chalice/cli/")) for n in names
    )


def test_handlers_import_from_the_zip_alone(package, tmp_path):
    with zipfile.ZipFile(package / "deployment.zip") as zipped:
        zipped.extractall(tmp_path)
    probe = (
        "import os, sys; here = os.getcwd(); sys.path.insert(0, here);"
        "import app, functions.main as m;"
        "assert m.__file__.startswith(here), m.__file__;"
        f"print(all(hasattr(m, h) for h in {HANDLERS!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_template_declares_every_handler_with_its_own_role(package):
    template = json.loads((package / "sam.json").read_text())
    functions = {k: v for k, v in template["Resources"].items() if v["Type"] == "AWS::Serverless::Function"}
    handlers = {f["Properties"]["Handler"].split(".")[-1] for f in functions.values()}
    assert set(HANDLERS) - {"zalo_webhook"} <= handlers
    assert all(f["Properties"]["Runtime"].startswith("python3") for f in functions.values())


def test_receipts_render_from_the_zip_alone(package, tmp_path):
    """The receipt route needs ReportLab, Pillow and the vendored font at Lambda runtime."""
    with zipfile.ZipFile(package / "deployment.zip") as zipped:
        names = set(zipped.namelist())
        zipped.extractall(tmp_path)
    assert {f"functions/fonts/LiberationSerif-{s}.ttf" for s in ("Regular", "Bold", "Italic")} <= names
    probe = (
        "import os, sys; here = os.getcwd(); sys.path.insert(0, here);"
        "import reportlab; assert reportlab.__file__.startswith(here), reportlab.__file__;"
        "from functions import receipt_pdf, qr_codes; from functions.receipt_data import Receipt;"
        "pdf = receipt_pdf.render(Receipt(code='000.00.12.H46-240115-0003'), 'https://x.vn/tra-cuu/1?k=2');"
        "png = qr_codes.png('https://x.vn/tra-cuu/1?k=2');"
        "print(pdf[:5] == b'%PDF-' and png[:4] == b'\\x89PNG')"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_api_gateway_returns_receipts_as_binary(package):
    template = json.loads((package / "sam.json").read_text())
    [api] = [r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Api"]
    binary = api["Properties"]["DefinitionBody"]["x-amazon-apigateway-binary-media-types"]
    assert {"application/pdf", "image/png"} <= set(binary)
