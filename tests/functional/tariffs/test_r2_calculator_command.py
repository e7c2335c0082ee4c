"""`manage.py relief_quote` for large consumers (QA round 2, #10): no guessed energy price, quota from 2021."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command


def quote(**options: Any) -> dict[str, Any]:
    out = StringIO()
    call_command("relief_quote", stdout=out, **options)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


@pytest.mark.django_db
def test_a_large_consumer_without_energy_price_and_2021_consumption_is_refused_in_german(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        call_command(
            "relief_quote",
            commodity="electricity",
            forecast_kwh="40000",
            working_price_ct="50",
            customer_group="business",
        )

    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "rechnet mit dem Energiepreis netto und dem Verbrauch von 2021" in error
    assert "--energy-price-net-ct und --consumption-2021-kwh" in error


@pytest.mark.django_db
def test_a_large_consumer_gets_70_percent_of_the_2021_consumption_at_the_energy_price() -> None:
    result = quote(
        commodity="electricity",
        forecast_kwh="40000",
        working_price_ct="50",
        customer_group="business",
        energy_price_net_ct="20",
        consumption_2021_kwh="36000",
    )

    assert result["reference_price_ct"] == "13.00"
    assert result["quota_kwh_year"] == "25200.00"
    assert result["relief_eur_month"] == "147.00"
    assert result["advance_payment_eur"]["without_relief"] == "1667"
