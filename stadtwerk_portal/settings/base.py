"""Settings shared by every environment. Deployment values come from the environment (see stadtwerk_portal.env)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from stadtwerk_portal import env

# Lets admin and other generic classes be subscripted at runtime (ModelAdmin[Model]) for precise type checks.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env.get_str("VAR_DIR", str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "axes",
    "core",
    "tariffs",
    "customers",
    "contacts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After messages (they add one) and authentication: idle logout, and the page for logins without a customer.
    "core.middleware.SessionTimeout",
    "core.middleware.CustomerRecordMissing",
    # Axes last: it inspects the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "stadtwerk_portal.urls"
WSGI_APPLICATION = "stadtwerk_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
                "core.context_processors.utility",
            ],
            "string_if_invalid": "",
        },
    },
]

DATABASES = {"default": env.get_database(VAR_DIR / "db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    # Axes first, so a locked-out login is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Django's rules with German wording (core.password_validation).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "core.password_validation.UserAttributeSimilarity"},
    {"NAME": "core.password_validation.MinimumLength", "OPTIONS": {"min_length": 10}},
    {"NAME": "core.password_validation.CommonPassword"},
    {"NAME": "core.password_validation.NumericPassword"},
]
# How long a password-reset link works (Django's default, stated here because the e-mail tells the customer:
# templates/registration/password_reset_email.html says "drei Tage").
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection: after AXES_FAILURE_LIMIT failed logins for one e-mail address from one IP address the
# pair is locked for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env.get_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.get_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the login form field; Axes would default to USERNAME_FIELD ("email")
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # Axes would otherwise log the attempted user name (personal data) on every failure.

LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch")]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["stadtwerk_portal.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end libraries come from npm (package-lock.json); their dist folders are served directly, nothing is copied.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/chart.js", BASE_DIR / "node_modules" / "chart.js" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8  # server-side expiry, counted from the last change to the session
# Shared PCs (library, family): closing the browser ends the login, and a customer who leaves the portal open is
# logged out after SESSION_IDLE_TIMEOUT_MINUTES without a request (core.middleware.SessionTimeout).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_IDLE_TIMEOUT_MINUTES = env.get_int("SESSION_IDLE_TIMEOUT_MINUTES", 30, minimum=1)
X_FRAME_OPTIONS = "DENY"

DEFAULT_FROM_EMAIL = env.get_str("DEFAULT_FROM_EMAIL", "Stadtwerk Kundenservice <service@stadtwerk.example>")
EMAIL_BACKEND = env.get_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

# Celery: JSON only, bounded run time, one message prefetched per process so a long task never hoards work.
REDIS_URL = env.get_redis_url()
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    # Embedded default: Kombu's filesystem transport needs no server; messages are files under var/celery/.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "celery" / "out"),
        "data_folder_out": str(VAR_DIR / "celery" / "out"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        # Kombu's default is ./control relative to the working directory; keep it under var/ with the rest.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    # The transport does not create its folders; without them every enqueue fails (e.g. while seeding the demo).
    for _folder in ("out", "processed", "control"):
        (VAR_DIR / "celery" / _folder).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = env.get_int("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env.get_int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=1)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env.get_str("CELERY_DEFAULT_QUEUE", "default")
CELERY_TASK_ROUTES: dict[str, dict[str, str]] = {}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Cache (rate limits of the public cancellation button): Redis when REDIS_URL is set, shared by every web process;
# otherwise files under VAR_DIR/cache, which need no server and no createcachetable step. Never call cache.clear() on
# Redis: it flushes the whole database, which the Celery broker shares (keys are deleted one by one or expire).
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.get_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Business settings (DOMAIN.md decisions), overridable per utility.
UTILITY_NAME = env.get_str("UTILITY_NAME", "Stadtwerk")

# The utility's master data for bills, the SEPA mandate, confirmations and the footer (§ 14 Abs. 4 UStG: full name,
# address and tax number on every bill; SEPA rulebook: creditor identifier in the mandate). Demo values by default;
# a deployment sets its own. UTILITY_ADDRESS is one line, "Straße 1, 12345 Ort".
UTILITY_ADDRESS = env.get_str("UTILITY_ADDRESS", "Musterstraße 1, 70173 Stuttgart")
UTILITY_PHONE = env.get_str("UTILITY_PHONE", "0711 123456-0")
UTILITY_EMAIL = env.get_str("UTILITY_EMAIL", "service@stadtwerk.example")
# USt-IdNr. ("DE" + 9 digits) or Steuernummer; the bill labels it by its form.
UTILITY_TAX_ID = env.get_str("UTILITY_TAX_ID", "DE123456789")
# Gläubiger-Identifikationsnummer (Bundesbank); the default is the Bundesbank's published test identifier.
UTILITY_CREDITOR_ID = env.get_str("UTILITY_CREDITOR_ID", "DE98ZZZ09999999999").replace(" ", "").upper()
if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{3}[A-Z0-9]{1,28}", UTILITY_CREDITOR_ID):
    raise ImproperlyConfigured(f"UTILITY_CREDITOR_ID={UTILITY_CREDITOR_ID!r} is not a SEPA creditor identifier.")
# The account customers without a SEPA mandate pay a Nachzahlung to (printed on the bill).
try:
    UTILITY_IBAN = IBAN(env.get_str("UTILITY_IBAN", "DE89370400440532013000")).compact
    UTILITY_BIC = str(BIC(env.get_str("UTILITY_BIC", "COBADEFFXXX")))
except SchwiftyException as error:
    raise ImproperlyConfigured(f"UTILITY_IBAN or UTILITY_BIC is not valid: {error}") from None
# Impressum (§ 5 DDG; core.views.Imprint): who may represent the utility, and its register entry. Demo values.
UTILITY_REPRESENTATIVES = env.get_str("UTILITY_REPRESENTATIVES", "Erika Mustermann (Geschäftsführerin)")
UTILITY_REGISTER = env.get_str("UTILITY_REGISTER", "Amtsgericht Stuttgart, HRB 000000")
# Courtesy call this many days after a contract starts; optional outbound contacts (courtesy, win-back, care) at most
# CONTACT_CAP_COUNT per customer in any CONTACT_CAP_DAYS (DOMAIN.md, consent and contact frequency).
COURTESY_CALL_DELAY_DAYS = env.get_int("COURTESY_CALL_DELAY_DAYS", 14, minimum=1)
CONTACT_CAP_COUNT = env.get_int("CONTACT_CAP_COUNT", 2, minimum=0)
CONTACT_CAP_DAYS = env.get_int("CONTACT_CAP_DAYS", 90, minimum=1)
# The Bundesland whose public holidays have no call window (core.holidays.STATES; the demo utility is in Stuttgart).
PUBLIC_HOLIDAY_STATE = env.get_str("PUBLIC_HOLIDAY_STATE", "BW")
