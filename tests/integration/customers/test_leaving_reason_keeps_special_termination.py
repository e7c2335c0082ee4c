"""The optional "Warum gehen Sie?" answer never overwrites the legal ground of a special termination."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from customers import cancellation
from customers.models import CancellationRequest, Contract
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


def declaration(contract: Contract, *, reason_on_contract: str) -> CancellationRequest:
    submitted = timezone.now()
    Contract.objects.filter(pk=contract.pk).update(
        status=Contract.Status.CANCELLED,
        cancelled_at=submitted,
        end_date=date(2027, 2, 1),
        cancellation_reason=reason_on_contract,
    )
    return CancellationRequest.objects.create(
        reference=f"K-{contract.pk:08d}",
        submitted_at=submitted,
        kind=CancellationRequest.Kind.EXTRAORDINARY,
        name="Erika Mustermann",
        email="erika@example.org",
        contract=contract,
        status=CancellationRequest.Status.MATCHED,
    )


@pytest.mark.parametrize(
    ("on_contract", "expected"),
    [(cancellation.PRICE_CHANGE_REASON, cancellation.PRICE_CHANGE_REASON), ("", "MOVING")],
)
def test_the_answer_is_kept_on_the_contract_unless_it_was_a_special_termination(
    on_contract: str, expected: str
) -> None:
    contract = ContractFactory()
    request = declaration(contract, reason_on_contract=on_contract)

    cancellation.record_leaving_reason(cancellation=request, reason="MOVING", comment="")

    contract.refresh_from_db()
    request.refresh_from_db()
    assert request.leaving_reason == "MOVING"  # the customer's answer is always kept on the declaration
    assert contract.cancellation_reason == expected
