"""The upload form (files, authority — only the user's —, format, collection year, check only)
and the recompute button's choice of months."""

from __future__ import annotations

from datetime import date

from django import forms
from django.conf import settings

from imports.formats import formats_available
from scorecards.periods import add_months, financial_year_start, month_first

MSG_TOO_BIG = "{name} is {size:,} bytes, over the upload limit of {limit:,} bytes."
MSG_UPLOAD_TOO_BIG = (
    "The files are {total:,} bytes together, over the upload limit of {limit:,} bytes for "
    "all the files of one upload."
)
#: Room for the form fields and multipart boundaries on top of the files themselves.
MULTIPART_ALLOWANCE = 1024 * 1024


def upload_size_problem(*, files) -> str | None:
    """Why these uploaded files are too big, or None: the limit is for them all together."""
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    for upload in files:
        if upload.size > limit:
            return MSG_TOO_BIG.format(name=upload.name, size=upload.size, limit=limit)
    total = sum(upload.size for upload in files)
    if total > limit:
        return MSG_UPLOAD_TOO_BIG.format(total=total, limit=limit)
    return None


def request_too_big(*, content_length: str | None) -> str | None:
    """Why a request is refused before its body is read (far over the limit), or None."""
    try:
        length = int(content_length or 0)
    except ValueError:
        return None
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if length > limit + MULTIPART_ALLOWANCE:
        return MSG_UPLOAD_TOO_BIG.format(total=length, limit=limit)
    return None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    la = forms.ModelChoiceField(queryset=None, label="Local authority", empty_label=None)
    format = forms.ChoiceField(label="Format")
    year = forms.IntegerField(
        label="Collection year (ending 31 March)",
        required=False,
        min_value=2000,
        max_value=2100,
        help_text="For example 2025 for 2024 to 2025. Leave blank when a 4-digit year is in "
        "the file names.",
    )
    as_at = forms.DateField(
        label="Extract date",
        required=False,
        help_text="The day the extract was taken (SSD); YYYY-MM-DD.",
    )
    dry_run = forms.BooleanField(
        label="Check only (dry run): validate every row, write nothing", required=False
    )
    files = MultipleFileField(
        label="Files",
        help_text="One CSV per table, one XLSX workbook with a sheet per table, an SSDA903 "
        "return as one XML file, or a zip. Notes, PDFs and images sent along are skipped.",
    )

    def __init__(self, *args, authorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["la"].queryset = authorities
        self.fields["format"].choices = [
            (name, spec.label) for name, spec in sorted(formats_available().items())
        ]

    def clean_files(self):
        files = self.cleaned_data["files"]
        problem = upload_size_problem(files=files)
        if problem:
            raise forms.ValidationError(problem)
        return files


class RecomputeForm(forms.Form):
    """How far back the "Recompute figures" button recomputes an authority's snapshots.

    Three windows rather than a free month: the current month (a quick refresh), the
    current financial year (after a change to this year's targets) and the three financial
    years the scorecards show (the command's default, after a change to populations or
    benchmarks). The value posted is the first month, checked against these choices.
    """

    month_from = forms.TypedChoiceField(label="Recompute from", coerce=date.fromisoformat)

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        this_month = month_first(today)
        this_year = financial_year_start(today)
        three_years = add_months(this_year, -24)
        self.fields["month_from"].choices = [
            (this_month.isoformat(), f"This month ({this_month:%B %Y})"),
            (this_year.isoformat(), f"This financial year (from {this_year:%B %Y})"),
            (three_years.isoformat(), f"The last three financial years (from {three_years:%B %Y})"),
        ]
        self.fields["month_from"].initial = this_year.isoformat()
