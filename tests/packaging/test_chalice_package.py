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


# Lambda's limits for a function uploaded as a zip (direct upload; unzipped, with layers).
LAMBDA_ZIP_MAX = 50 * 1024 * 1024
LAMBDA_UNZIPPED_MAX = 250 * 1024 * 1024


def _run_in_unzipped(tmp_path, probe: str) -> str:
    """Run Python code with only the unzipped package on its path (isolated mode), as Lambda would."""
    result = subprocess.run(
        [sys.executable, "-I", "-c", "import os, sys; here = os.getcwd(); sys.path.insert(0, here);" + probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_photo_decoder_ships_as_linux_wheels_and_reads_a_qr_from_the_zip(package, tmp_path):
    with zipfile.ZipFile(package / "deployment.zip") as zipped:
        names = zipped.namelist()
        unzipped = sum(info.file_size for info in zipped.infolist())
        zipped.extractall(tmp_path)
    assert any(n.startswith("zxingcpp/") and n.endswith(".so") for n in names)
    assert any(n.startswith("PIL/") and n.endswith(".so") for n in names)
    assert (package / "deployment.zip").stat().st_size < LAMBDA_ZIP_MAX
    assert unzipped < LAMBDA_UNZIPPED_MAX
    probe = (
        "import io, qrcode, zxingcpp, functions.photo_codes as p;"
        "assert zxingcpp.__file__.startswith(here), zxingcpp.__file__;"
        "out = io.BytesIO(); qrcode.make('https://x.vn/tra-cuu/000.00.12.H46-240115-0003?k=a').save(out);"
        "print(p.codes_in_photo(out.getvalue(), 3))"
    )
    assert _run_in_unzipped(tmp_path, probe) == "['000.00.12.H46-240115-0003']"


def test_receipts_render_from_the_zip_alone(package, tmp_path):
    """The receipt route needs ReportLab, Pillow and the vendored font at Lambda runtime."""
    with zipfile.ZipFile(package / "deployment.zip") as zipped:
        names = set(zipped.namelist())
        zipped.extractall(tmp_path)
    assert {f"functions/fonts/LiberationSerif-{s}.ttf" for s in ("Regular", "Bold", "Italic")} <= names
    probe = (
        "import reportlab; assert reportlab.__file__.startswith(here), reportlab.__file__;"
        "from functions import receipt_pdf, qr_codes; from functions.receipt_data import Receipt;"
        "pdf = receipt_pdf.render(Receipt(code='000.00.12.H46-240115-0003'), 'https://x.vn/tra-cuu/1?k=2');"
        "png = qr_codes.png('https://x.vn/tra-cuu/1?k=2');"
        "print(pdf[:5] == b'%PDF-' and png[:4] == b'\\x89PNG')"
    )
    assert _run_in_unzipped(tmp_path, probe) == "True"


def test_api_gateway_returns_receipts_as_binary(package):
    template = json.loads((package / "sam.json").read_text())
    [api] = [r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Api"]
    binary = api["Properties"]["DefinitionBody"]["x-amazon-apigateway-binary-media-types"]
    assert {"application/pdf", "image/png"} <= set(binary)
