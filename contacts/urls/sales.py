from django.urls import path

from contacts import views

app_name = "contacts_sales"

urlpatterns = [
    path("", views.SalesHome.as_view(), name="home"),
]
