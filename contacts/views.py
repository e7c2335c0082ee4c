"""Staff screens: the agent workspace and the sales dashboard."""

from __future__ import annotations

from django.views.generic import TemplateView

from core.permissions import AgentRequiredMixin, SalesRequiredMixin


class AgentHome(AgentRequiredMixin, TemplateView):
    template_name = "contacts/agent_home.html"


class SalesHome(SalesRequiredMixin, TemplateView):
    template_name = "contacts/sales_home.html"
