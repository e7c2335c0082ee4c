"""Settings for pytest: fast password hashing, in-memory e-mail, same database/broker selection as base."""

import os

from stadtwerk_portal import env
from stadtwerk_portal.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = env.get_str("TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
# A worker started by a test can write its e-mails to files, to be counted (TEST_EMAIL_BACKEND=…filebased…).
EMAIL_FILE_PATH = env.get_str("TEST_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Each test process keeps its own in-memory cache (rate limits), so parallel runs never count each other's requests.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}

# Each test session publishes to its own queue so that a developer's running worker never takes the tests' messages;
# a worker started by a test gets the same name through CELERY_DEFAULT_QUEUE.
CELERY_TASK_DEFAULT_QUEUE = env.get_str("CELERY_DEFAULT_QUEUE", f"test-{os.getpid()}")

# Tests travel in time (time_machine) after logging in at the real time; the idle logout (core.middleware) would
# log them out depending on the machine's clock. Tests of the idle logout set their own value.
SESSION_IDLE_TIMEOUT_MINUTES = 60 * 24 * 365 * 10
