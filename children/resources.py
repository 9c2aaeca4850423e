"""django-import-export resource for schools and their Ofsted ratings (reference data by URN)."""

from __future__ import annotations

from import_export import resources

from children.models import School


class SchoolResource(resources.ModelResource):
    class Meta:
        model = School
        fields = ("urn", "name", "la_code", "ofsted_rating", "inspection_date")
        import_id_fields = ("urn",)
        skip_unchanged = True
