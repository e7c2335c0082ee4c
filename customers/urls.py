from django.urls import path

from customers.views import account, actions

app_name = "customers"

urlpatterns = [
    path("", account.Home.as_view(), name="home"),
    path("vertrag/<int:pk>/", account.ContractDetail.as_view(), name="contract"),
    path("vertrag/<int:pk>/zaehlerstand/", actions.SubmitMeterReading.as_view(), name="submit_reading"),
    path("vertrag/<int:pk>/abschlag/", actions.ChangeAdvancePayment.as_view(), name="change_advance"),
    path("bankverbindung/", actions.ChangeBankAccount.as_view(), name="bank_account"),
]
