"""WSGI entry point (production: DJANGO_SETTINGS_MODULE=stadtwerk_portal.settings.production)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stadtwerk_portal.settings.production")

application = get_wsgi_application()
