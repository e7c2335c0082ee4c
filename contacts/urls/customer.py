from django.urls import path

from contacts.views import customer

app_name = "contacts_customer"

urlpatterns = [
    path("", customer.ContactHistory.as_view(), name="history"),
    path("einwilligungen/", customer.Consents.as_view(), name="consents"),
    path("einwilligungen/erteilen/", customer.GrantConsent.as_view(), name="grant_consent"),
    path("einwilligungen/widerrufen/", customer.WithdrawConsent.as_view(), name="withdraw_consent"),
    path("einwilligung/bestaetigen/<str:token>/", customer.ConfirmConsent.as_view(), name="confirm_consent"),
]
