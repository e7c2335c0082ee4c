from django.urls import path

from customers.views import account, actions, bills, move, profile, relief

app_name = "customers"

urlpatterns = [
    path("", account.Home.as_view(), name="home"),
    path("vertrag/<int:pk>/", account.ContractDetail.as_view(), name="contract"),
    path("vertrag/<int:pk>/zaehlerstand/", actions.SubmitMeterReading.as_view(), name="submit_reading"),
    path("vertrag/<int:pk>/abschlag/", actions.ChangeAdvancePayment.as_view(), name="change_advance"),
    path("bankverbindung/", actions.ChangeBankAccount.as_view(), name="bank_account"),
    path("rechnungen/", bills.BillList.as_view(), name="bills"),
    path("rechnungen/<int:pk>/", bills.BillDetail.as_view(), name="bill"),
    path("rechnungen/<int:pk>/pdf/", bills.BillPdf.as_view(), name="bill_pdf"),
    path("entlastung/", relief.MyRelief.as_view(), name="relief"),
    path("meine-daten/", profile.MyData.as_view(), name="profile"),
    path("meine-daten/export.json", profile.ExportData.as_view(), name="export"),
    path("meine-daten/email-bestaetigen/<str:token>/", profile.ConfirmEmail.as_view(), name="confirm_email"),
    path("vertrag/<int:pk>/umzug/", move.ReportMove.as_view(), name="move"),
]
