"""The database holds the price-change rules: a draft has proposed prices and no version, a published change its
version (unless VAT-only), a VAT-only change no net prices.

Separate from 0004 because PostgreSQL refuses to ALTER a table with deferred foreign-key checks still pending from
that migration's data step.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tariffs", "0004_price_change_proposed_prices"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="pricechange",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "DRAFT"), _negated=True),
                    models.Q(
                        ("price_version__isnull", True),
                        models.Q(
                            ("is_vat_only", True),
                            models.Q(
                                ("working_price_net_ct__isnull", False), ("base_price_net_eur_year__isnull", False)
                            ),
                            _connector="OR",
                        ),
                    ),
                    _connector="OR",
                ),
                name="draft_change_has_prices_and_no_version",
            ),
        ),
        migrations.AddConstraint(
            model_name="pricechange",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "PUBLISHED"), _negated=True),
                    ("is_vat_only", True),
                    ("price_version__isnull", False),
                    _connector="OR",
                ),
                name="published_change_has_version",
            ),
        ),
        migrations.AddConstraint(
            model_name="pricechange",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("is_vat_only", False),
                    models.Q(("working_price_net_ct__isnull", True), ("base_price_net_eur_year__isnull", True)),
                    _connector="OR",
                ),
                name="vat_only_change_has_no_net_prices",
            ),
        ),
        migrations.AddConstraint(
            model_name="pricechange",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("working_price_net_ct__isnull", True), ("working_price_net_ct__gte", 0), _connector="OR"
                    ),
                    models.Q(
                        ("base_price_net_eur_year__isnull", True), ("base_price_net_eur_year__gte", 0), _connector="OR"
                    ),
                ),
                name="price_change_prices_not_negative",
            ),
        ),
    ]
