"""The cancellation button's public pages (§ 312k BGB), mounted at /kuendigen/ without login."""

from django.urls import path

from customers.views import cancellation

app_name = "cancellation"

urlpatterns = [
    path("", cancellation.Cancel.as_view(), name="form"),
    path("bestaetigung/<str:reference>/", cancellation.Confirmation.as_view(), name="done"),
    path("bestaetigung/<str:reference>/datei/", cancellation.ConfirmationFile.as_view(), name="receipt"),
    path("bestaetigung/<str:reference>/warum/", cancellation.AnswerLeavingQuestion.as_view(), name="leaving_reason"),
]
