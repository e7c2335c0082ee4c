"""Trigram indexes for the agent search (PostgreSQL only): `icontains` becomes ILIKE '%…%', which pg_trgm GIN indexes
serve. On SQLite the same queries run without them (small data sets)."""

from django.db import migrations

INDEXES = [
    ("customers_customer", "name"),
    ("customers_customer", "email"),
    ("customers_customer", "phone"),
    ("customers_customer", "street"),
    ("customers_customer", "customer_number"),
    ("customers_contract", "contract_number"),
    ("customers_contract", "meter_number"),
    ("customers_contract", "malo_id"),
    ("customers_contract", "street"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_{column}_trgm ON {table} USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
