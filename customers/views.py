"""The customer portal ("Mein Konto")."""

from __future__ import annotations

from django.views.generic import TemplateView

from core.permissions import CustomerRequiredMixin


class Home(CustomerRequiredMixin, TemplateView):
    template_name = "customers/home.html"
