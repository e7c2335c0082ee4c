"""Load VAT rates and the relief schemes (data, not code), and forbid overlapping price versions on PostgreSQL.

The values are written out here (not imported from tariffs.domain) so that this migration keeps meaning what it
meant when it ran, whatever the code says later.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

VAT_RATES = [
    ("electricity", date(1900, 1, 1), None, "0.19"),
    ("gas", date(1900, 1, 1), date(2022, 10, 1), "0.19"),
    ("gas", date(2022, 10, 1), date(2024, 4, 1), "0.07"),  # § 28 Abs. 5 UStG
    ("gas", date(2024, 4, 1), None, "0.19"),
    ("heat", date(1900, 1, 1), date(2022, 10, 1), "0.19"),
    ("heat", date(2022, 10, 1), date(2024, 4, 1), "0.07"),  # § 28 Abs. 6 UStG
    ("heat", date(2024, 4, 1), None, "0.19"),
]

BRAKE_MONTHS = {
    "first_month": date(2023, 1, 1),
    "last_month": date(2023, 12, 1),
    "first_payment_month": date(2023, 3, 1),
}
DECEMBER = {
    "first_month": date(2022, 12, 1),
    "last_month": date(2022, 12, 1),
    "first_payment_month": date(2022, 12, 1),
}

SCHEMES = [
    dict(
        code="strompbg-klein",
        name="Strompreisbremse – Haushalte und Kleinverbraucher bis 30.000 kWh",
        law="StromPBG §§ 4–6",
        kind="PRICE_BRAKE",
        commodity="electricity",
        for_households=True,
        for_business=True,
        min_kwh=None,
        max_kwh=30000,
        reference_price_ct="40",
        reference_basis="GROSS_WORKING_PRICE",
        quota_share="0.80",
        forecast_basis="CURRENT_FORECAST",
        **BRAKE_MONTHS,
    ),
    dict(
        code="strompbg-gross",
        name="Strompreisbremse – Großverbraucher über 30.000 kWh",
        law="StromPBG §§ 4–6",
        kind="PRICE_BRAKE",
        commodity="electricity",
        for_households=False,
        for_business=True,
        min_kwh=30000,
        max_kwh=None,
        reference_price_ct="13",
        reference_basis="NET_ENERGY_PRICE",
        quota_share="0.70",
        forecast_basis="CONSUMPTION_2021",
        **BRAKE_MONTHS,
    ),
    dict(
        code="ewpbg-gas-klein",
        name="Gaspreisbremse – Haushalte und Gewerbe bis 1,5 Mio. kWh",
        law="EWPBG §§ 8–10",
        kind="PRICE_BRAKE",
        commodity="gas",
        for_households=True,
        for_business=True,
        min_kwh=None,
        max_kwh=1500000,
        reference_price_ct="12",
        reference_basis="GROSS_WORKING_PRICE",
        quota_share="0.80",
        forecast_basis="SEPT_2022_FORECAST",
        **BRAKE_MONTHS,
    ),
    dict(
        code="ewpbg-gas-industrie",
        name="Gaspreisbremse – Industrie über 1,5 Mio. kWh",
        law="EWPBG §§ 8–10",
        kind="PRICE_BRAKE",
        commodity="gas",
        for_households=False,
        for_business=True,
        min_kwh=1500000,
        max_kwh=None,
        reference_price_ct="7",
        reference_basis="NET_ENERGY_PRICE",
        quota_share="0.70",
        forecast_basis="CONSUMPTION_2021",
        **BRAKE_MONTHS,
    ),
    dict(
        code="ewpbg-waerme-klein",
        name="Wärmepreisbremse – Haushalte und Gewerbe bis 1,5 Mio. kWh",
        law="EWPBG §§ 15–17",
        kind="PRICE_BRAKE",
        commodity="heat",
        for_households=True,
        for_business=True,
        min_kwh=None,
        max_kwh=1500000,
        reference_price_ct="9.5",
        reference_basis="GROSS_WORKING_PRICE",
        quota_share="0.80",
        forecast_basis="SEPT_2022_FORECAST",
        **BRAKE_MONTHS,
    ),
    dict(
        code="ewpbg-waerme-industrie",
        name="Wärmepreisbremse – Industrie über 1,5 Mio. kWh (Dampf: 9 ct netto)",
        law="EWPBG §§ 15–17",
        kind="PRICE_BRAKE",
        commodity="heat",
        for_households=False,
        for_business=True,
        min_kwh=1500000,
        max_kwh=None,
        reference_price_ct="7.5",
        reference_basis="NET_ENERGY_PRICE",
        quota_share="0.70",
        forecast_basis="CONSUMPTION_2021",
        **BRAKE_MONTHS,
    ),
    # Gas: one month's share (1/12) of the September-2022 forecast at the December price plus 1/12 of the base price.
    dict(
        code="ewsg-gas",
        name="Dezember-Soforthilfe Gas 2022",
        law="EWSG § 2",
        kind="DECEMBER_RELIEF",
        commodity="gas",
        for_households=True,
        for_business=True,
        min_kwh=None,
        max_kwh=1500000,
        reference_price_ct=None,
        reference_basis="",
        quota_share="1.00",
        forecast_basis="SEPT_2022_FORECAST",
        **DECEMBER,
    ),
    # Heat: 120 % of the September-2022 Abschlag.
    dict(
        code="ewsg-waerme",
        name="Dezember-Soforthilfe Wärme 2022",
        law="EWSG § 4",
        kind="DECEMBER_RELIEF",
        commodity="heat",
        for_households=True,
        for_business=True,
        min_kwh=None,
        max_kwh=1500000,
        reference_price_ct=None,
        reference_basis="",
        quota_share="1.20",
        forecast_basis="SEPT_2022_ADVANCE",
        **DECEMBER,
    ),
]

NO_OVERLAP_SQL = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE tariffs_priceversion ADD CONSTRAINT price_version_no_overlap
    EXCLUDE USING gist (tariff_id WITH =, daterange(valid_from, valid_to, '[)') WITH &&);
"""


def load(apps, schema_editor):
    VatRate = apps.get_model("tariffs", "VatRate")
    ReliefScheme = apps.get_model("tariffs", "ReliefScheme")
    for commodity, valid_from, valid_to, rate in VAT_RATES:
        VatRate.objects.update_or_create(
            commodity=commodity, valid_from=valid_from, defaults={"valid_to": valid_to, "rate": Decimal(rate)}
        )
    for scheme in SCHEMES:
        values = dict(scheme)
        code = values.pop("code")
        for field in ("reference_price_ct", "quota_share"):
            if values[field] is not None:
                values[field] = Decimal(values[field])
        ReliefScheme.objects.update_or_create(code=code, defaults=values)


def unload(apps, schema_editor):
    apps.get_model("tariffs", "ReliefScheme").objects.filter(code__in=[s["code"] for s in SCHEMES]).delete()
    apps.get_model("tariffs", "VatRate").objects.all().delete()


def add_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NO_OVERLAP_SQL)


def drop_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE tariffs_priceversion DROP CONSTRAINT IF EXISTS price_version_no_overlap")


class Migration(migrations.Migration):
    dependencies = [("tariffs", "0001_initial")]

    operations = [
        migrations.RunPython(load, unload),
        migrations.RunPython(add_exclusion, drop_exclusion),
    ]
