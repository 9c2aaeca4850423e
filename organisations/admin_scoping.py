"""The Django admin, scoped by authority (``roles.md``: "Django admin — admin: reference data
only"; "no query ever mixes LAs unless the user is a member of each").

Every ModelAdmin of a record that belongs to an authority uses ``AuthorityScopedAdmin``, so
one rule decides what a staff user who is not a superuser may reach there:

- **which models**: only the reference data of ``organisations.roles.ADMIN_REFERENCE_MODELS``
  (targets, populations, teams, workers, ...), and only with the model permissions the
  user holds; case records, imports, snapshots, memberships and the audit log stay
  superuser-only whatever permissions a group is given;
- **which rows**: those of the authorities in which the user holds the reference-data
  capability (``organisations.permissions``), in lists, exports, object pages and the
  choices of every foreign key (an admin of 874 can neither see nor pick 873's teams);
- **missing or out of scope**: an object page of another authority's row answers 404,
  exactly like an id that does not exist (Django's own answer, a redirect to the index,
  is replaced for both, so the answer never tells whether the row exists);
- **spreadsheet imports**: a row for an authority outside the user's scope is a row error
  (django-import-export's validation error) and the whole file is rolled back.

Superusers see and edit everything. National reference data that belongs to no authority
(ONS postcodes and local-authority districts, Ofsted schools) uses ``NationalReferenceAdmin``:
readable by those with the view permission, changed by superusers only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest

from organisations.models import LocalAuthority
from organisations.permissions import REFERENCE_DATA, las_for_capability
from organisations.roles import ADMIN_REFERENCE_MODELS

MSG_OUT_OF_SCOPE_ROW = "Authority {code} is not one of yours: this row cannot be imported."
MSG_NO_SUCH_RECORD = "No such record."

REFERENCE_LABELS: frozenset[str] = frozenset(
    f"{app}.{model}" for app, model, _ in ADMIN_REFERENCE_MODELS
)


def _is_superuser(user: Any) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_superuser", False))


def user_admin_authorities(*, user: Any) -> QuerySet[LocalAuthority]:
    """The authorities whose reference data ``user`` may reach in the Django admin."""
    return las_for_capability(user=user, capability=REFERENCE_DATA)


def _scope_filter(path: str, las: QuerySet[LocalAuthority], *, national_rows: bool) -> Q:
    """``path__in=las`` (``pk__in`` for the authority table itself), plus rows without an
    authority when they are national values everyone may read."""
    lookup = Q(**{f"{path or 'pk'}__in": las})
    if national_rows and path:
        lookup |= Q(**{f"{path}__isnull": True})
    return lookup


def related_scope(*, model: type[Model], user: Any, admin_site: admin.AdminSite) -> QuerySet | None:
    """The rows of ``model`` a foreign key may point at for ``user``, or None for no limit.

    Authorities: the user's own. Records of a scoped admin: that admin's rows. Users (a
    worker's sign-in): members of the user's authorities.
    """
    if _is_superuser(user):
        return None
    las = user_admin_authorities(user=user)
    if model is LocalAuthority:
        return LocalAuthority.objects.filter(pk__in=las)
    if model is get_user_model():
        return model._default_manager.filter(memberships__la__in=las).distinct()
    target_admin = admin_site._registry.get(model)
    if isinstance(target_admin, AuthorityScopedAdmin):
        return model._default_manager.filter(
            _scope_filter(target_admin.la_path, las, national_rows=False)
        )
    return None


class AuthorityScopedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose rows belong to an authority reached through ``la_path``.

    ``la_path``: the lookup from the model to its ``LocalAuthority`` ("la", "child__la",
    "batch__la"; "" for the authority table itself). ``national_rows``: rows without an
    authority (England-wide benchmarks) are listed for everyone who may view the model but
    changed or deleted by superusers only. ``superuser_fields``: fields shown read-only to
    everyone else (an authority's code and name are not an admin's to change).
    """

    la_path: str = "la"
    national_rows: bool = False
    superuser_fields: tuple[str, ...] = ()

    # -- which models ----------------------------------------------------------------------

    def _model_open_to(self, request: HttpRequest) -> bool:
        """Superusers: every model; anyone else: reference data only (roles.md)."""
        return _is_superuser(request.user) or self.opts.label_lower in REFERENCE_LABELS

    # -- which rows --------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if _is_superuser(request.user):
            return queryset
        las = user_admin_authorities(user=request.user)
        return queryset.filter(_scope_filter(self.la_path, las, national_rows=self.national_rows))

    def _in_scope(self, request: HttpRequest, obj: Model | None, *, write: bool) -> bool:
        if obj is None or _is_superuser(request.user):
            return True
        if write and self.national_rows and self._authority_id(obj) is None:
            return False
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def _authority_id(self, obj: Model) -> Any:
        if not self.la_path:
            return obj.pk
        value: Any = obj
        for part in self.la_path.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value.pk

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._model_open_to(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return (
            self._model_open_to(request)
            and super().has_view_permission(request, obj)
            and self._in_scope(request, obj, write=False)
        )

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._model_open_to(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return (
            self._model_open_to(request)
            and super().has_change_permission(request, obj)
            and self._in_scope(request, obj, write=True)
        )

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return (
            self._model_open_to(request)
            and super().has_delete_permission(request, obj)
            and self._in_scope(request, obj, write=True)
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if _is_superuser(request.user):
            return fields
        return fields + tuple(f for f in self.superuser_fields if f not in fields)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        """A missing id and another authority's id answer the same: 404 (roles.md "Scope")."""
        raise Http404(MSG_NO_SUCH_RECORD)

    # -- foreign-key choices -----------------------------------------------------------------

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            scoped = related_scope(
                model=db_field.remote_field.model, user=request.user, admin_site=self.admin_site
            )
            if scoped is not None:
                kwargs["queryset"] = scoped
                if db_field.remote_field.model is LocalAuthority:
                    kwargs["required"] = True  # no England-wide rows from a non-superuser
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            scoped = related_scope(
                model=db_field.remote_field.model, user=request.user, admin_site=self.admin_site
            )
            if scoped is not None:
                kwargs["queryset"] = scoped
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # -- django-import-export (on ModelAdmins that mix it in) --------------------------------

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request) and super().has_import_permission(request)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request) and super().has_export_permission(request)

    def get_import_data_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        """A file with one refused row writes nothing at all."""
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}


class AuthorityScopedResource:
    """A django-import-export resource mixin: refuse rows for authorities the importing user
    is not a member of (a validation error on the authority column; with the admin's
    ``rollback_on_validation_errors`` nothing of the file is written).

    Imports without a user (the command line, superusers) are not limited.
    """

    #: The lookup from the imported instance to its authority ("" = the instance itself).
    la_path: str = "la"
    la_column: str = "la"

    def import_instance(self, instance: Model, row: Any, **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        user = kwargs.get("user")
        if user is None or _is_superuser(user):
            return
        la = instance if not self.la_path else getattr(instance, self.la_path, None)
        allowed = user_admin_authorities(user=user)
        if la is None or la.pk is None or not allowed.filter(pk=la.pk).exists():
            code = getattr(la, "code", None) or row.get(self.la_column) or "(none)"
            raise ValidationError({self.la_column: MSG_OUT_OF_SCOPE_ROW.format(code=code)})


class NationalReferenceAdmin(admin.ModelAdmin):
    """National reference data (no authority owns it): shown to those with the view
    permission, added, changed, deleted and imported by superusers only."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _is_superuser(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_superuser(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_superuser(request.user) and super().has_delete_permission(request, obj)

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request) and super().has_import_permission(request)
