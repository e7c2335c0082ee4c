"""Background work of the customers app: thin, named, idempotent tasks (ids in)."""

from __future__ import annotations

from celery import shared_task

from customers import pdf
from customers.models import Bill


@shared_task(name="customers.render_bill_pdf", acks_late=True)
def render_bill_pdf(*, bill_id: int, **kwargs: object) -> None:
    """Render and cache the bill's PDF. Idempotent: a cached PDF is kept; a deleted bill is skipped."""
    bill = Bill.objects.filter(pk=bill_id).first()
    if bill is None:
        return
    pdf.ensure_bill_pdf(bill=bill)
