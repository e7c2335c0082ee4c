"""The audit of staff access to customer records (DSGVO accountability): who opened which customer, when.

Rows hold ids and a time only; admins review them in the Django admin. Application logs name ids, never people.
"""

from __future__ import annotations

import logging
from datetime import datetime

from contacts.models import CustomerAccessLog
from core.models import User
from customers.models import Customer

logger = logging.getLogger(__name__)


def log_access(*, user: User, customer: Customer, now: datetime) -> CustomerAccessLog:
    """Record that a staff member opened a customer's 360° screen (1 query)."""
    entry = CustomerAccessLog.objects.create(user=user, customer=customer, opened_at=now)
    logger.info("user %s opened customer %s", user.pk, customer.pk)
    return entry
