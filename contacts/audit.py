"""The audit of staff access to customer records (DSGVO accountability): who opened which customer, when.

Every agent page that shows one customer's data logs the opening: the 360° screen and the pages acting for the
customer (through the mixin that loads the customer, contacts.views.agent.AgentCustomerMixin) and the call-queue
work page. One request writes one row per customer, however many parts of it ask to log (the mixin, then the 360°
screen it renders).

Rows hold ids and a time only; admins review them in the Django admin. Application logs name ids, never people.
"""

from __future__ import annotations

import logging
from datetime import datetime

from contacts.models import CustomerAccessLog
from core.models import User
from customers.models import Customer

logger = logging.getLogger(__name__)

# Set on the customer object a request loaded, with the ids of the users whose access is logged for it: the object
# lives as long as the request, so a second call in the same request writes nothing.
_LOGGED_FOR = "_access_logged_for_users"


def log_access(*, user: User, customer: Customer, now: datetime) -> CustomerAccessLog | None:
    """Record that a staff member opened a customer's data (1 query); return the row, or None if this customer
    object was already logged for this user (the same request)."""
    logged: set[int] = customer.__dict__.setdefault(_LOGGED_FOR, set())
    if user.pk in logged:
        return None
    entry = CustomerAccessLog.objects.create(user=user, customer=customer, opened_at=now)
    logged.add(user.pk)
    logger.info("user %s opened customer %s", user.pk, customer.pk)
    return entry
