from django.contrib.auth import views as auth_views
from django.urls import path

from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health_check, name="health"),
    path("anmelden/", views.Login.as_view(), name="login"),
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    path("passwort/aendern/", views.PasswordChange.as_view(), name="password_change"),
    path("passwort/aendern/fertig/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("passwort/vergessen/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("passwort/vergessen/gesendet/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "passwort/neu/<uidb64>/<token>/",
        views.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path("passwort/neu/fertig/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("impressum/", views.Imprint.as_view(), name="imprint"),
    path("datenschutz/", views.PrivacyPolicy.as_view(), name="privacy"),
]
