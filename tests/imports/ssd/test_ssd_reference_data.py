"""Reference data: the shipped England benchmarks, and benchmarks and Ofsted school ratings
round-tripping through the admin's spreadsheet export and import."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from children.models import School
from children.resources import SchoolResource
from scorecards.indicators.registry import HIGHER, INDICATORS, LOWER
from scorecards.models import Benchmark
from scorecards.resources import BenchmarkResource

pytestmark = pytest.mark.django_db

SOURCE = "DfE, Children looked after in England including adoptions, year ending 31 March 2024"
EXPECTED = {
    "cla_rate_per_10k": Decimal("69"),
    "placements_3plus_12m": Decimal("11"),
    "long_term_stability": Decimal("68"),
    "health_assessment_on_time": Decimal("89"),
    "dental_on_time": Decimal("79"),
    "cl_19_21_unsuitable_accommodation": Decimal("12"),  # 100 − 88% suitable
    "cl_19_21_neet": Decimal("46"),  # 100 − 54% in education, employment or training
}


def test_load_benchmarks_loads_the_england_2024_figures_once():
    out = io.StringIO()
    call_command("load_benchmarks", stdout=out)
    call_command("load_benchmarks", stdout=out)

    rows = Benchmark.objects.all()
    assert {b.indicator: b.value for b in rows} == EXPECTED
    assert {(b.year, b.scope, b.la_id) for b in rows} == {(2024, "england", None)}
    assert all(b.source.startswith(SOURCE) for b in rows)
    assert "7 created" in out.getvalue() and "7 unchanged" in out.getvalue()


def test_each_benchmark_is_an_indicator_in_its_polarity():
    import scorecards.indicators  # noqa: F401 - registers the catalogue

    for indicator in EXPECTED:
        assert indicator in INDICATORS
    assert INDICATORS["cl_19_21_unsuitable_accommodation"].polarity == LOWER
    assert INDICATORS["cl_19_21_neet"].polarity == LOWER
    assert INDICATORS["long_term_stability"].polarity == HIGHER


def test_benchmarks_round_trip_through_their_spreadsheet_resource():
    from organisations.models import LocalAuthority

    call_command("load_benchmarks", stdout=io.StringIO())
    Benchmark.objects.create(indicator="cla_rate_per_10k", year=2024, scope="stat_neighbours",
                             la=LocalAuthority.objects.get(code="873"), value=Decimal("61.50"),
                             source="DfE statistical neighbours")  # fmt: skip
    before = sorted(Benchmark.objects.values_list("indicator", "year", "scope", "la__code",
                                                  "value", "source"))  # fmt: skip

    dataset = BenchmarkResource().export()
    Benchmark.objects.all().delete()
    result = BenchmarkResource().import_data(dataset, raise_errors=True)
    again = BenchmarkResource().import_data(dataset, raise_errors=True)

    assert result.totals["new"] == 8
    assert again.totals["skip"] == 8
    after = sorted(Benchmark.objects.values_list("indicator", "year", "scope", "la__code",
                                                 "value", "source"))  # fmt: skip
    assert after == before


def test_school_ratings_round_trip_by_urn():
    School.objects.create(
        urn="100001",
        name="Fenland Academy",
        la_code="873",
        ofsted_rating=School.Rating.GOOD,
        inspection_date=date(2023, 5, 4),
    )
    School.objects.create(urn="100002", name="Ouse Primary", la_code="873",
                          ofsted_rating=School.Rating.OUTSTANDING)  # fmt: skip
    before = sorted(School.objects.values_list("urn", "name", "la_code", "ofsted_rating",
                                               "inspection_date"))  # fmt: skip

    dataset = SchoolResource().export()
    School.objects.all().delete()
    SchoolResource().import_data(dataset, raise_errors=True)
    dataset.dict = [{**row, "ofsted_rating": "3"} if row["urn"] == "100001" else row
                    for row in dataset.dict]  # fmt: skip
    update = SchoolResource().import_data(dataset, raise_errors=True)

    assert sorted(School.objects.values_list("urn", "name", "la_code", "ofsted_rating",
                                             "inspection_date")) == [
        ("100001", "Fenland Academy", "873", 3, date(2023, 5, 4)),
        before[1],
    ]  # fmt: skip
    assert (update.totals["update"], update.totals["skip"]) == (1, 1)


def test_benchmarks_round_trip_through_the_admin_export_and_import_pages(admin_client):
    call_command("load_benchmarks", stdout=io.StringIO())
    before = sorted(Benchmark.objects.values_list("indicator", "value", "source"))

    export = admin_client.post(
        reverse("admin:scorecards_benchmark_export"),
        {"format": "0", "resource": "0", **{f"benchmarkresource_{f}": "on" for f in
         ("indicator", "year", "scope", "la", "value", "source")}},
    )  # fmt: skip
    assert export.status_code == 200, export.content[:500]
    csv_bytes = b"".join(export.streaming_content) if export.streaming else export.content
    Benchmark.objects.all().delete()

    upload = io.BytesIO(csv_bytes)
    upload.name = "benchmarks.csv"
    confirm = admin_client.post(
        reverse("admin:scorecards_benchmark_import"),
        {"format": "0", "resource": "0", "import_file": upload},
    )
    assert confirm.status_code == 200
    form = confirm.context["confirm_form"]
    done = admin_client.post(
        reverse("admin:scorecards_benchmark_process_import"),
        {name: form[name].value() for name in form.fields},
    )

    assert done.status_code == 302
    assert sorted(Benchmark.objects.values_list("indicator", "value", "source")) == before
