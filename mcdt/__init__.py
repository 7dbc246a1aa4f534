"""The MCĐT integration kit: write dossiers to dvc-zalo's Dossiers table the way the contract says
(docs/mcdt-contract.md), import whole exports, and print receipts with their QR code.

Library: `DossierTable` (mcdt.table), `validate` (mcdt.contract), `import_file` (mcdt.bulk).
CLI: `python -m mcdt --help`. Not part of the Lambda package: it runs on the vendor's or operator's side.
"""

from mcdt.bulk import FileRejected, ImportResult, import_file
from mcdt.contract import InvalidDossier, Problem, validate
from mcdt.table import Conflict, DossierTable, Outcome

__all__ = [
    "Conflict",
    "DossierTable",
    "FileRejected",
    "ImportResult",
    "InvalidDossier",
    "Outcome",
    "Problem",
    "import_file",
    "validate",
]
