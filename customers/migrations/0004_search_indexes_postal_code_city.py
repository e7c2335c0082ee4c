"""Trigram indexes for postal code and city too, so that every column the agent search ORs over is index-backed
(one unindexed column in the OR makes PostgreSQL scan the table). PostgreSQL only, like 0002."""

from django.db import migrations

INDEXES = [
    ("customers_customer", "postal_code"),
    ("customers_customer", "city"),
    ("customers_contract", "postal_code"),
    ("customers_contract", "city"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
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
    dependencies = [("customers", "0003_bill_checks_within_half_cent")]

    operations = [migrations.RunPython(create, drop)]
