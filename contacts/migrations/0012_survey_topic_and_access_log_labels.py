"""The topic "Zufriedenheitsbefragung" (outbound survey calls count toward the contact cap, DOMAIN.md), and German
labels for the access log's user and customer columns in the admin.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TOPICS = [
    ("BILL", "Rechnung"),
    ("ADVANCE_PAYMENT", "Abschlag"),
    ("PRICE_BRAKE", "Preisbremse"),
    ("PRICE_CHANGE", "Preisänderung"),
    ("METER_READING", "Zählerstand"),
    ("MOVE", "Umzug"),
    ("CANCELLATION", "Kündigung"),
    ("TARIFF_ADVICE", "Tarifberatung"),
    ("PV_STORAGE_EMOBILITY", "PV, Speicher, E-Mobilität"),
    ("HEAT_PUMP", "Wärmepumpe"),
    ("COMPLAINT", "Beschwerde"),
    ("COURTESY_CALL", "Höflichkeitsanruf"),
    ("SURVEY", "Zufriedenheitsbefragung"),
    ("OTHER", "Sonstiges"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0011_not_reached_touchpoints_have_no_score"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="touchpoint", name="touchpoint_topic_valid"),
        migrations.AlterField(
            model_name="callguide",
            name="topic",
            field=models.CharField(choices=TOPICS, max_length=24, unique=True, verbose_name="Thema"),
        ),
        migrations.AlterField(
            model_name="calltask",
            name="topic",
            field=models.CharField(choices=TOPICS, default="OTHER", max_length=24, verbose_name="Thema"),
        ),
        migrations.AlterField(
            model_name="touchpoint",
            name="topic",
            field=models.CharField(choices=TOPICS, max_length=24, verbose_name="Thema"),
        ),
        migrations.AddConstraint(
            model_name="touchpoint",
            constraint=models.CheckConstraint(
                condition=models.Q(topic__in=[value for value, _label in TOPICS]), name="touchpoint_topic_valid"
            ),
        ),
        migrations.AlterField(
            model_name="customeraccesslog",
            name="customer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="customers.customer",
                verbose_name="Kundin/Kunde",
            ),
        ),
        migrations.AlterField(
            model_name="customeraccesslog",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="Mitarbeiterin/Mitarbeiter",
            ),
        ),
    ]
