"""seed_synthetic's fast paths: batches written by parallel threads on PostgreSQL give the same population as batches
written one after the other, the id sequences move past the rows even after a failed batch, and the cycle collector
runs again afterwards. (How fast it is goes into benchmarks/bench_dashboard.py, not into tests.)"""

from __future__ import annotations

import gc
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count

from contacts import synthetic
from customers.models import Contract, Customer
from tests.factories import CustomerFactory

AS_OF = date(2026, 11, 21)


def _population(customers: Any) -> list[tuple[Any, ...]]:
    """Return what the seed drew per customer, without the ids (a second run numbers its rows further on)."""
    rows = customers.annotate(contact_count=Count("touchpoints", distinct=True)).order_by("id")
    contracts: dict[int, list[tuple[Any, ...]]] = {}
    for contract in Contract.objects.filter(customer__in=customers).order_by("id"):
        contracts.setdefault(contract.customer_id, []).append(
            (contract.commodity, contract.tariff_id, contract.start_date, contract.end_date, contract.status,
             contract.cancellation_kind, contract.cancellation_reason, contract.forecast_kwh)
        )  # fmt: skip
    return [
        (row.name, row.street, row.city, row.customer_group, row.is_vulnerable, row.created_at, row.contact_count,
         contracts[row.pk])
        for row in rows
    ]  # fmt: skip


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_writers_give_the_same_population_as_one_batch_after_another(
    require_postgres: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(synthetic, "BATCH_CUSTOMERS", 10)  # five batches, two threads writing
    synthetic.seed_population(customers=45, seed=3, as_of=AS_OF)  # outside a transaction: the threads write
    first = list(Customer.objects.filter(customer_number__startswith="SY").values_list("pk", flat=True))
    with transaction.atomic():  # inside one: one batch after the other on this connection
        synthetic.seed_population(customers=45, seed=3, as_of=AS_OF)

    synthetic_customers = Customer.objects.filter(customer_number__startswith="SY")
    parallel = _population(synthetic_customers.filter(pk__in=first))
    sequential = _population(synthetic_customers.exclude(pk__in=first))
    assert len(parallel) == 45
    assert parallel == sequential


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sequences_move_past_the_written_rows_when_a_batch_fails(
    require_postgres: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(synthetic, "BATCH_CUSTOMERS", 10)
    write = synthetic._write_batch
    calls: list[int] = []

    def fail_third(batch: Any) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("Verbindung verloren")
        write(batch)

    monkeypatch.setattr(synthetic, "_write_batch", fail_third)

    with pytest.raises(RuntimeError, match="Verbindung verloren"):
        synthetic.seed_population(customers=50, seed=5, as_of=AS_OF)

    assert Customer.objects.filter(customer_number__startswith="SY").exists()
    created = CustomerFactory()  # a new row gets the next free id, not one the seed wrote
    assert created.pk > max(Customer.objects.exclude(pk=created.pk).values_list("pk", flat=True))


@pytest.mark.django_db
def test_cycle_collector_runs_again_after_seeding_also_after_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    synthetic.seed_population(customers=3, seed=1, as_of=AS_OF)
    assert gc.isenabled()

    def broken(self: Any) -> None:
        raise ValueError("kaputt")

    monkeypatch.setattr(synthetic.Population, "customer", broken)
    with pytest.raises(ValueError, match="kaputt"):
        synthetic.seed_population(customers=3, seed=1, as_of=AS_OF)

    assert gc.isenabled()
