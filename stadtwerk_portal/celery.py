"""The Celery application: configured from Django settings (CELERY_* names), tasks discovered in the apps."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stadtwerk_portal.settings.local")

app = Celery("stadtwerk_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
