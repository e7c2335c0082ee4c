"""The sales dashboard (contacts/dashboard.py): its indexes and the schedule of its daily snapshot job.

Indexes (PostgreSQL only): partial and covering indexes let the dashboard's aggregates read only the rows of the
period, often only the index. SQLite runs the same queries without them (small data sets).

Schedule: the per-customer figures (at-risk list, churn by contact frequency) are recomputed daily at 05:30 Berlin
time (django-celery-beat, editable in the admin); created only when missing, like contacts/0003.
"""

from django.db import migrations

INDEXES = {
    # contact frequency and churn by contact frequency: touchpoints of a period by channel and customer
    "dash_touchpoint_period": "contacts_touchpoint (occurred_at) INCLUDE (customer_id, channel)",
    # the at-risk rules and NPS: complaints, negative sentiment and scores of a period
    "dash_touchpoint_complaint": "contacts_touchpoint (occurred_at) INCLUDE (customer_id) WHERE topic = 'COMPLAINT'",
    "dash_touchpoint_negative": "contacts_touchpoint (occurred_at) INCLUDE (customer_id) WHERE sentiment = 'NEGATIVE'",
    "dash_touchpoint_score": (
        "contacts_touchpoint (occurred_at) INCLUDE (customer_id, would_recommend) WHERE would_recommend IS NOT NULL"
    ),
    # cancellations effective in a period (and the month series of contract ends)
    "dash_contract_end": (
        "customers_contract (end_date) INCLUDE (cancelled_at, start_date, tariff_id, commodity) "
        "WHERE end_date IS NOT NULL"
    ),
    # new contracts of a period
    "dash_contract_start": "customers_contract (start_date) INCLUDE (end_date, tariff_id, commodity, customer_id)",
    # "contract end or minimum term within 90 days"
    "dash_contract_term": "customers_contract (minimum_term_end) WHERE status = 'ACTIVE'",
    # active contracts of a customer (every customer-level figure checks it)
    "dash_contract_customer": (
        "customers_contract (customer_id) INCLUDE (status, start_date, end_date, commodity, tariff_id)"
    ),
    # latest bill with a high Nachzahlung
    "dash_bill_issued": "customers_bill (issued_date) INCLUDE (contract_id, balance_eur, advances_eur)",
    # notices sent in a period
    "dash_notice_sent": (
        "contacts_pricechangenotice (sent_at) INCLUDE (contract_id, price_change_id, effective_date) "
        "WHERE status = 'SENT'"
    ),
    # courtesy calls of a contract
    "dash_task_courtesy": "contacts_calltask (contract_id) INCLUDE (status, result_id) WHERE kind = 'COURTESY'",
    # leads of a period
    "dash_interest_noted": "contacts_interest (noted_at)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


SCHEDULE = ("Vertriebs-Dashboard vorberechnen (Risikoliste, Kontakthäufigkeit)", "contacts.dashboard_snapshot")


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="5", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/Berlin"
    )
    name, task = SCHEDULE
    PeriodicTask.objects.get_or_create(
        name=name, defaults={"task": task, "crontab": crontab, "kwargs": "{}", "enabled": True}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCHEDULE[0]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0003_beat_schedules"),
        ("customers", "0003_bill_checks_within_half_cent"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, drop), migrations.RunPython(schedule, unschedule)]
