from django.urls import path

from contacts.views import agent
from contacts.views import queue as queue_views

app_name = "contacts"

urlpatterns = [
    path("", agent.AgentHome.as_view(), name="home"),
    path("suche/", agent.Search.as_view(), name="search"),
    path("kunde/<int:pk>/", agent.Customer360.as_view(), name="customer_360"),
    path("kunde/<int:pk>/kontakt/", agent.RecordTouchpoint.as_view(), name="record_touchpoint"),
    path("kunde/<int:pk>/zaehlerstand/<int:contract_pk>/", agent.SubmitMeterReading.as_view(), name="submit_reading"),
    path("kunde/<int:pk>/abschlag/<int:contract_pk>/", agent.ChangeAdvancePayment.as_view(), name="change_advance"),
    path("kunde/<int:pk>/kuendigung/<int:contract_pk>/", agent.RecordCancellation.as_view(), name="cancellation"),
    path("kunde/<int:pk>/einwilligung/", agent.ChangeConsents.as_view(), name="consents"),
    path("anrufliste/", queue_views.CallQueue.as_view(), name="queue"),
    path("anrufliste/<int:pk>/", queue_views.WorkTask.as_view(), name="work_task"),
    path("anrufliste/<int:pk>/uebernehmen/", queue_views.ClaimTask.as_view(), name="claim_task"),
    path("anrufliste/<int:pk>/ueberspringen/", queue_views.SkipTask.as_view(), name="skip_task"),
    path("anrufliste/<int:pk>/zurueckgeben/", queue_views.ReleaseTask.as_view(), name="release_task"),
]
