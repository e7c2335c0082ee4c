"""A draft price change stores its proposed net prices; its price version is created only when it is published.

Existing rows: every change gets the prices of its version (a VAT-only change none: it changes no net price). A
DRAFT's version was already live - it changed contracts' prices although nobody had been told (QA round 2, finding
2) - so it is taken out of the history: the draft keeps the prices, the version is deleted, and the version before it
runs on until the next one (or stays open). Published changes keep their versions untouched.

Not reversible for drafts (their versions are gone); the reverse step leaves the data as it is.
"""

import django.db.models.deletion
from django.db import migrations, models


def drafts_change_no_prices(apps, schema_editor):
    PriceChange = apps.get_model("tariffs", "PriceChange")
    PriceVersion = apps.get_model("tariffs", "PriceVersion")
    for change in PriceChange.objects.select_related("price_version").order_by("id"):
        version = change.price_version
        if version is None:
            continue
        if not change.is_vat_only:
            change.working_price_net_ct = version.working_price_net_ct
            change.base_price_net_eur_year = version.base_price_net_eur_year
        if change.status == "PUBLISHED":
            change.save(update_fields=["working_price_net_ct", "base_price_net_eur_year"])
            continue
        change.price_version = None
        change.save(update_fields=["price_version", "working_price_net_ct", "base_price_net_eur_year"])
        previous = PriceVersion.objects.filter(tariff_id=version.tariff_id, valid_to=version.valid_from).first()
        end = version.valid_to
        version.delete()
        if previous is not None:
            previous.valid_to = end
            previous.save(update_fields=["valid_to"])


class Migration(migrations.Migration):
    dependencies = [
        ("tariffs", "0003_price_changes"),
    ]

    operations = [
        migrations.AddField(
            model_name="pricechange",
            name="base_price_net_eur_year",
            field=models.DecimalField(
                blank=True, decimal_places=2, max_digits=10, null=True, verbose_name="neuer Grundpreis netto (€/Jahr)"
            ),
        ),
        migrations.AddField(
            model_name="pricechange",
            name="working_price_net_ct",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                max_digits=10,
                null=True,
                verbose_name="neuer Arbeitspreis netto (ct/kWh)",
            ),
        ),
        migrations.AlterField(
            model_name="pricechange",
            name="is_vat_only",
            field=models.BooleanField(
                default=False,
                help_text="Die Nettopreise bleiben gleich; braucht keine Mitteilung (§ 41 Abs. 6 EnWG).",
                verbose_name="nur Umsatzsteueränderung",
            ),
        ),
        migrations.AlterField(
            model_name="pricechange",
            name="price_version",
            field=models.OneToOneField(
                blank=True,
                help_text="Wird beim Veröffentlichen angelegt.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="price_change",
                to="tariffs.priceversion",
                verbose_name="Preisstand",
            ),
        ),
        migrations.AlterField(
            model_name="pricechange",
            name="tariff",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="price_changes",
                to="tariffs.tariff",
                verbose_name="Tarif",
            ),
        ),
        migrations.AlterField(
            model_name="priceversion",
            name="tariff",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="price_versions",
                to="tariffs.tariff",
                verbose_name="Tarif",
            ),
        ),
        migrations.RunPython(drafts_change_no_prices, migrations.RunPython.noop),
    ]
