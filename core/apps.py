from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Benutzer und Betrieb"

    def ready(self) -> None:
        # Connects the login receivers (session bookkeeping).
        from core import signals  # noqa: F401
