"""A trigram index on the customer's phone number without separators, for the agent search on digits only
("07118765432" finds "0711 8765432"; contacts/search.py). PostgreSQL only, like 0002 and 0004.

The expression must stay the one contacts.search.phone_digits() builds (the separators of
contacts.search.PHONE_SEPARATORS, replaced in that order), or PostgreSQL no longer uses the index.
"""

from typing import Any

from django.db import migrations

INDEX = "customers_customer_phone_digits_trgm"
SEPARATORS = (" ", "/", "-", "(", ")", ".", "+")


def _expression() -> str:
    expression = '"customers_customer"."phone"'
    for separator in SEPARATORS:
        expression = f"REPLACE({expression}, '{separator}', '')"
    return f"({expression})::text"


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON customers_customer USING gin (({_expression()}) gin_trgm_ops)"
    )


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_price_deferral")]

    operations = [migrations.RunPython(create, drop)]
