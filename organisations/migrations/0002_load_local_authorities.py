"""Load the DfE list of local authorities and the ONS lower-tier mapping.

Reads ``organisations/data/local_authorities.csv`` and ``lower_tier_authorities.csv``
(sources in ``organisations/data/README.md``) so ``--la 873`` works on an empty database.
Self-contained on purpose (no import of app code), so later changes to the app cannot
break this migration. Idempotent (update_or_create on the natural keys); reversing it
leaves the rows in place, because authorities may by then own records.
"""

import csv
from pathlib import Path

from django.db import migrations

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _rows(name):
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_local_authorities(apps, schema_editor):
    LocalAuthority = apps.get_model("organisations", "LocalAuthority")
    LowerTierAuthority = apps.get_model("organisations", "LowerTierAuthority")
    by_code = {}
    for row in _rows("local_authorities.csv"):
        authority, _ = LocalAuthority.objects.update_or_create(
            code=row["code"],
            defaults={
                "ons_code": row["ons_code"],
                "name": row["name"],
                "region": row["region"],
                "is_current": row["is_current"] == "True",
            },
        )
        by_code[row["code"]] = authority
    for row in _rows("lower_tier_authorities.csv"):
        LowerTierAuthority.objects.update_or_create(
            ons_code=row["ons_code"],
            defaults={"name": row["name"], "upper_tier": by_code[row["upper_tier_code"]]},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load_local_authorities, migrations.RunPython.noop),
    ]
