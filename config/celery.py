"""Celery application: tasks are thin wrappers over services (see style.md rule 9)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("cps")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
