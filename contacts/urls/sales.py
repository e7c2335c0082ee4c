from django.urls import path

from contacts.views import dashboard

app_name = "contacts_sales"

urlpatterns = [
    path("", dashboard.SalesDashboard.as_view(), name="home"),
    path("neu-berechnen/", dashboard.RefreshDashboard.as_view(), name="refresh"),
    path("kunden/<int:pk>/betreuungsanruf/", dashboard.CreateRetentionTask.as_view(), name="retention_task"),
]
