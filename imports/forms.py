"""The upload form: files, authority (only the user's), format, collection year, check only."""

from __future__ import annotations

from django import forms
from django.conf import settings

from imports.formats import formats_available

MSG_TOO_BIG = "{name} is {size:,} bytes, over the upload limit of {limit:,} bytes."


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
        help_text="One CSV per table, one XLSX workbook with a sheet per table, or a zip.",
    )

    def __init__(self, *args, authorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["la"].queryset = authorities
        self.fields["format"].choices = [
            (name, spec.label) for name, spec in sorted(formats_available().items())
        ]

    def clean_files(self):
        files = self.cleaned_data["files"]
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        for upload in files:
            if upload.size > limit:
                raise forms.ValidationError(
                    MSG_TOO_BIG.format(name=upload.name, size=upload.size, limit=limit)
                )
        return files
