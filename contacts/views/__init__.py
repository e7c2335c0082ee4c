"""Staff screens: the agent workspace and the sales dashboard."""

from __future__ import annotations

from django.views.generic import TemplateView

from contacts.views.agent import AgentHome
from core.permissions import SalesRequiredMixin

__all__ = ["AgentHome", "SalesHome"]


class SalesHome(SalesRequiredMixin, TemplateView):
    template_name = "contacts/sales_home.html"
