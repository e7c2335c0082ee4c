"""A touchpoint whose outcome is "nicht erreicht" has no mood and no recommendation score: nobody gave them. Such
values that forms accepted before are cleared (they counted in the NPS and the at-risk rules), then a CHECK keeps it so.
"""

from typing import Any

from django.db import migrations, models


def clear_scores_of_calls_that_reached_nobody(apps: Any, schema_editor: Any) -> None:
    touchpoint = apps.get_model("contacts", "Touchpoint")
    touchpoint.objects.filter(outcome="NOT_REACHED").exclude(would_recommend__isnull=True, sentiment="").update(
        would_recommend=None, sentiment=""
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0010_backfill_price_deferrals"),
    ]

    operations = [
        migrations.RunPython(clear_scores_of_calls_that_reached_nobody, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="touchpoint",
            constraint=models.CheckConstraint(
                condition=~models.Q(outcome="NOT_REACHED")
                | (models.Q(would_recommend__isnull=True) & models.Q(sentiment="")),
                name="touchpoint_not_reached_no_score",
            ),
        ),
    ]
