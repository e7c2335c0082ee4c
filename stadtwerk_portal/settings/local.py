"""Settings for `make run` on a developer's machine: DEBUG on, console e-mail, a fixed non-secret key."""

from stadtwerk_portal import env
from stadtwerk_portal.settings.base import *  # noqa: F403

DEBUG = env.get_bool("DEBUG", True)
SECRET_KEY = env.get_str("SECRET_KEY", "local-development-only-not-secret")
ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
