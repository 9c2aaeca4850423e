"""API tokens are issued only through ``manage.py create_api_token`` (audited), so DRF's
token admin, which would create keys without an audit row, is taken off the admin site."""

from __future__ import annotations

from django.contrib import admin
from rest_framework.authtoken.models import TokenProxy

if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)
