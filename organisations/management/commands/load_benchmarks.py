"""``manage.py load_benchmarks [PATH]``: load the shipped England benchmarks (idempotent)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from organisations.benchmarks import ENGLAND_BENCHMARKS, benchmarks_load


class Command(BaseCommand):
    help = "Load the England benchmarks fixture (latest published DfE year) into Benchmark."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            default=str(ENGLAND_BENCHMARKS),
            help="Fixture file (default: the shipped England 2024 figures)",
        )

    def handle(self, *args, **options) -> None:
        outcome = benchmarks_load(path=Path(options["path"]))
        self.stdout.write(
            f"Benchmarks: {outcome.created} created, {outcome.updated} updated, "
            f"{outcome.unchanged} unchanged."
        )
