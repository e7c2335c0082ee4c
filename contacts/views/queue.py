"""The call queue for agents: open tasks by due date, claim one, work it with its guide, record the result or skip."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from contacts import audit, customer360, forms_queue, queue, touchpoints
from contacts.models import CallTask
from core.models import User
from core.permissions import AgentRequiredMixin


def _agent(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class CallQueue(AgentRequiredMixin, TemplateView):
    template_name = "contacts/queue.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context["queue"] = queue.get_open_queue(now=now, page=self.request.GET.get("seite", 1))
        context["mine"] = queue.get_claimed_tasks(agent=_agent(self.request), now=now)
        return context


class ClaimTask(AgentRequiredMixin, View):
    """POST only: take the task and go straight to working it; if a colleague was faster, say so."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            queue.claim(task_id=pk, agent=_agent(request), now=timezone.now())
        except queue.TaskAlreadyClaimed as error:
            if not CallTask.objects.filter(pk=pk).exists():
                raise Http404("Diese Aufgabe gibt es nicht.") from None
            messages.error(request, str(error))
            return redirect("contacts:queue")
        return redirect("contacts:work_task", pk=pk)


class _HeldTaskMixin(AgentRequiredMixin):
    """Load the task (404 if unknown); an agent who does not hold it is sent back to the queue with the reason."""

    request: HttpRequest
    task: CallTask

    def load_task(self, pk: int) -> HttpResponse | None:
        task = queue.get_task(task_id=pk)
        if task is None:
            raise Http404("Diese Aufgabe gibt es nicht.")
        self.task = task
        if task.status == CallTask.Status.CLAIMED and task.assignee_id == self.request.user.pk:
            return None
        if task.status == CallTask.Status.OPEN:
            messages.info(self.request, "Bitte übernehmen Sie die Aufgabe zuerst aus der Anrufliste.")
        elif task.status == CallTask.Status.CLAIMED:
            messages.error(self.request, str(queue.TaskAlreadyClaimed()))
        else:
            messages.info(self.request, "Diese Aufgabe ist bereits abgeschlossen.")
        return redirect("contacts:queue")

    def render_work(
        self,
        *,
        result_form: forms_queue.RecordCallResult | None = None,
        skip_form: forms_queue.SkipTask | None = None,
    ) -> HttpResponse:
        now = timezone.now()
        # The work page shows the customer's data: the access is logged like the 360° screen's (DSGVO).
        audit.log_access(user=_agent(self.request), customer=self.task.customer, now=now)
        work = queue.get_work_context(task=self.task, as_of=timezone.localdate(now), now=now)
        context = {
            "work": work,
            # what the call guide tells the agent to check: meter number, Abschlag (plan ahead), masked IBAN
            "essentials": customer360.get_call_essentials(
                customer=self.task.customer, summaries=work.contracts, as_of=timezone.localdate(now)
            ),
            "result_form": result_form or forms_queue.RecordCallResult(),
            "skip_form": skip_form or forms_queue.SkipTask(initial={"reason": work.known_skip_reason}),
        }
        return render(self.request, "contacts/work_task.html", context)


class WorkTask(_HeldTaskMixin, View):
    """The guide beside the customer's key data, and the result form (POST records the call and completes)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.load_task(pk) or self.render_work()

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        refused = self.load_task(pk)
        if refused is not None:
            return refused
        form = forms_queue.RecordCallResult(request.POST)
        if not form.is_valid():
            return self.render_work(result_form=form)
        minutes = form.cleaned_data["duration_minutes"]
        try:
            queue.record_result(
                task=self.task,
                agent=_agent(request),
                now=timezone.now(),
                outcome=form.cleaned_data["outcome"],
                summary=form.cleaned_data["summary"],
                would_recommend=form.cleaned_data["would_recommend"],
                sentiment=form.cleaned_data["sentiment"],
                duration_seconds=minutes * 60 if minutes is not None else None,
            )
        except (queue.QueueError, touchpoints.TouchpointRejected) as error:
            form.add_error(None, str(error))
            return self.render_work(result_form=form)
        messages.success(request, f"Das Gespräch mit {self.task.customer.name} ist gespeichert, die Aufgabe erledigt.")
        return redirect("contacts:queue")


class SkipTask(_HeldTaskMixin, View):
    """POST only: close the task without calling; the reason from the list is required.

    Also straight from the list, for an open task the portal knows may not be called (one click, the reason preset):
    claiming it first would only cost the agent time.
    """

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        task = queue.get_task(task_id=pk)
        from_list = False
        if task is not None and task.status == CallTask.Status.OPEN:
            self.task, from_list = task, True
        else:
            refused = self.load_task(pk)
            if refused is not None:
                return refused
        form = forms_queue.SkipTask(request.POST)
        if not form.is_valid():
            if from_list:
                messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
                return redirect("contacts:queue")
            return self.render_work(skip_form=form)
        reason = queue.SkipReason(form.cleaned_data["reason"])
        try:
            queue.skip(
                task=self.task,
                agent=_agent(request),
                reason=reason,
                detail=form.cleaned_data["detail"],
                now=timezone.now(),
            )
        except queue.QueueError as error:
            messages.error(request, str(error))
            return redirect("contacts:queue")
        messages.success(
            request, f"Die Aufgabe für {self.task.customer.name} ist übersprungen (Grund: {reason.label})."
        )
        return redirect("contacts:queue")


class ReleaseTask(_HeldTaskMixin, View):
    """POST only: give the task back to the open queue."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        refused = self.load_task(pk)
        if refused is not None:
            return refused
        try:
            queue.release(task=self.task, agent=_agent(request))
        except queue.QueueError as error:
            messages.error(request, str(error))
        else:
            messages.info(request, "Die Aufgabe ist wieder in der Anrufliste.")
        return redirect("contacts:queue")
