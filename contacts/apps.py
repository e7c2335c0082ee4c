from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "Kontakte und Kundenservice"

    def ready(self) -> None:
        # The customers' data export (Meine Daten) includes touchpoints and consents; contacts sits above customers,
        # so it registers its sections there instead of customers importing contacts.
        from contacts import export

        export.register()
