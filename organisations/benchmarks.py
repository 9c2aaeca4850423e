"""Loading the England benchmarks shipped with the app (reference data, ``scorecards.Benchmark``).

The fixture ``scorecards/fixtures/england_benchmarks_<year>.json`` holds the latest
published DfE figures, each stored in the polarity of its indicator id (12% of care
leavers in unsuitable accommodation, not 88% suitable) and naming its source. Rows are
matched on (indicator, year, scope, authority), so loading twice changes nothing and a
corrected fixture updates values in place; benchmarks an admin added are left alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from organisations.models import LocalAuthority

ENGLAND_BENCHMARKS = (
    Path(settings.BASE_DIR) / "scorecards" / "fixtures" / "england_benchmarks_2024.json"
)


@dataclass
class BenchmarksLoaded:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@transaction.atomic
def benchmarks_load(*, path: Path = ENGLAND_BENCHMARKS) -> BenchmarksLoaded:
    """Upsert the benchmarks of a Django-fixture-shaped JSON file on their natural key."""
    from scorecards.models import Benchmark

    outcome = BenchmarksLoaded()
    for entry in json.loads(Path(path).read_text(encoding="utf-8")):
        fields = entry["fields"]
        la = fields.get("la")
        if la is not None and not isinstance(la, int):
            la = LocalAuthority.objects.get(code=str(la)).pk
        key = {"indicator": fields["indicator"], "year": fields["year"], "scope": fields["scope"],
               "la_id": la}  # fmt: skip
        wanted = {"value": Decimal(str(fields["value"])), "source": fields["source"]}
        current = Benchmark.objects.filter(**key).first()
        if current is None:
            Benchmark.objects.create(**key, **wanted)
            outcome.created += 1
        elif (current.value, current.source) != (wanted["value"], wanted["source"]):
            current.value, current.source = wanted["value"], wanted["source"]
            current.save(update_fields=["value", "source"])
            outcome.updated += 1
        else:
            outcome.unchanged += 1
    return outcome
