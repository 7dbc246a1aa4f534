"""Re-project the whole Dossiers table into the dossiers-by-phone table ("hồ sơ của tôi").

The stream keeps the projection in step from the moment this feature is deployed; dossiers written
before that, or a stretch of stream records whose projection failed (logged as "phone index not
updated"), need one pass over the table. Safe to run at any time and more than once.

    STAGE=prod AWS_REGION=ap-southeast-1 python -m scripts.rebuild_phone_index
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from functions import wiring
from functions.dossier import Dossier
from functions.dossier_records import InvalidRecord, from_model
from functions.models import DossierModel


def rebuild() -> dict[str, int]:
    """One pass over the Dossiers table; returns the counts (plus "invalid": records we cannot read)."""
    wiring.settings()  # binds the models to this stage's tables
    invalid = 0

    def dossiers() -> Iterator[Dossier]:
        nonlocal invalid
        for item in DossierModel.scan():
            try:
                yield from_model(item)
            except InvalidRecord:
                invalid += 1

    counts = wiring.phone_indexer().rebuild(dossiers())
    return {**counts, "invalid": invalid}


def main() -> int:
    counts = rebuild()
    print(", ".join(f"{name} {number}" for name, number in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
