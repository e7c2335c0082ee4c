"""The periodic jobs as django-celery-beat schedules, so admins see and edit them (Periodic tasks in the admin).

Daily in Berlin time: price-change notices 06:00, courtesy calls 07:00, care triggers 07:30; the outbox relay every
30 seconds. Rerunning keeps what an admin changed (rows are created only when missing).
"""

from django.db import migrations

BERLIN = "Europe/Berlin"
DAILY = (
    ("Preisänderungsmitteilungen versenden", "contacts.price_change_notices", "0", "6"),
    ("Höflichkeitsanrufe planen", "contacts.courtesy_calls", "0", "7"),
    ("Betreuungsanrufe planen (Nachzahlung, Risikoliste)", "contacts.care_triggers", "30", "7"),
)
RELAY = ("Outbox an den Broker übergeben", "core.relay_outbox", 30)


def load(apps, schema_editor):
    """Create the schedules that are missing."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour in DAILY:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone=BERLIN
        )
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "kwargs": "{}", "enabled": True}
        )
    name, task, seconds = RELAY
    interval, _ = IntervalSchedule.objects.get_or_create(every=seconds, period="seconds")
    PeriodicTask.objects.get_or_create(
        name=name, defaults={"task": task, "interval": interval, "kwargs": "{}", "enabled": True}
    )


def unload(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in DAILY] + [RELAY[0]]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0002_call_guides"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(load, unload)]
