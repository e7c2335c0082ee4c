from django.urls import path

from tariffs import views

app_name = "tariffs"

urlpatterns = [
    path("", views.relief_calculator, name="relief_calculator"),
]
