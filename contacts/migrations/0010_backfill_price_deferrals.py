"""Write a customers.PriceDeferral for every notice already sent late (LATE), so their contracts keep the old price
until the notice's effective date in every calculation (the notice job writes them itself from now on)."""

from typing import Any

from django.db import migrations


def backfill(apps: Any, schema_editor: Any) -> None:
    notice_model = apps.get_model("contacts", "PriceChangeNotice")
    deferral_model = apps.get_model("customers", "PriceDeferral")
    late = (
        notice_model.objects.filter(status="LATE", effective_date__isnull=False)
        .select_related("price_change")
        .order_by("id")
    )
    deferral_model.objects.bulk_create(
        (
            deferral_model(
                contract_id=notice.contract_id,
                price_change_id=notice.price_change_id,
                planned_date=notice.price_change.effective_date,
                effective_date=notice.effective_date,
            )
            for notice in late.iterator(chunk_size=2000)
            if notice.effective_date > notice.price_change.effective_date
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0009_dashboard_indexes"),
        ("customers", "0005_price_deferral"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
