"""`manage.py relief_quote` reproduces the published examples of DOMAIN.md and refuses bad input in German."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[3]


def quote(**options: Any) -> dict[str, Any]:
    out = StringIO()
    call_command("relief_quote", stdout=out, **options)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("commodity", "forecast", "price", "rounding", "monthly", "yearly", "without", "with_relief"),
    [
        # BMWK electricity: 4,500 kWh at 50 ct → 188 € without, 158 € with brake, 360 €/year.
        ("electricity", "4500", "50", "euro", "30.00", "360.00", "188", "158"),
        # BMWK gas: 15,000 kWh at 22 ct → 275 € / 175 €, 1,200 €/year.
        ("gas", "15000", "22", "euro", "100.00", "1200.00", "275", "175"),
        # Neckarsulm electricity: 3,000 kWh at 50 ct → 20 €/month, 240 €/year.
        ("electricity", "3000", "50", "euro", "20.00", "240.00", "125", "105"),
        # Heat: 13,000 kWh at 12 ct → 130.00 € / 108.33 € in cents; relief 260 €/year published in whole euros.
        # The relief is paid monthly (21.67 €), so the year is 12 × 21.67 € = 260.04 € (DOMAIN.md allows the euro
        # match where the example rounds to euros; the Abschlag is 108.33 € either way).
        ("heat", "13000", "12", "cent", "21.67", "260.04", "130.00", "108.33"),
        # Below the cap: 3,000 kWh at 35 ct → no relief.
        ("electricity", "3000", "35", "euro", "0.00", "0.00", "88", "88"),
    ],
)
def test_published_examples_are_reproduced_to_the_cent(
    commodity: str, forecast: str, price: str, rounding: str, monthly: str, yearly: str, without: str, with_relief: str
) -> None:
    result = quote(commodity=commodity, forecast_kwh=forecast, working_price_ct=price, rounding=rounding)

    assert result["relief_eur_month"] == monthly
    assert result["relief_eur_year"] == yearly
    assert result["advance_payment_eur"] == {"without_relief": without, "with_relief": with_relief}
    assert len(result["explanation"]) >= 3


@pytest.mark.django_db
def test_bmwk_electricity_before_the_increase_is_113_euros() -> None:
    result = quote(commodity="electricity", forecast_kwh="4500", working_price_ct="30")

    assert result["advance_payment_eur"]["without_relief"] == "113"
    assert result["reference_price_ct"] == "40.00"


@pytest.mark.django_db
def test_example_a1_includes_the_base_price() -> None:
    result = quote(commodity="gas", forecast_kwh="29500", working_price_ct="5.50", base_price_eur_year="228.48")

    assert result["advance_payment_eur"]["without_relief"] == "154"


@pytest.mark.django_db
def test_quota_and_reference_are_printed_as_in_the_issue() -> None:
    result = quote(commodity="electricity", forecast_kwh="4500", working_price_ct="50")

    assert result["commodity"] == "electricity"
    assert result["quota_kwh_year"] == "3600.00"


@pytest.mark.django_db
def test_december_relief_for_heat_is_120_percent_of_the_september_advance() -> None:
    result = quote(commodity="heat", december=True, september_advance_eur="150")

    assert result["december_relief_eur"] == "180.00"
    assert set(result) == {"commodity", "december_relief_eur", "explanation"}


@pytest.mark.django_db
def test_december_relief_for_heat_with_ten_advances_uses_the_monthly_average() -> None:
    result = quote(commodity="heat", december=True, installments="10", last_period_advances_eur="1500")

    assert result["december_relief_eur"] == "150.00"  # 1,500 € ÷ 12 × 120 %


@pytest.mark.django_db
def test_december_relief_for_gas_is_one_twelfth_of_forecast_cost_and_base_price() -> None:
    result = quote(
        commodity="gas", december=True, forecast_kwh="15000", working_price_ct="22", base_price_eur_year="120"
    )

    assert result["december_relief_eur"] == "285.00"  # (15,000 × 0.22 € + 120 €) ÷ 12


def run_command(*arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "stadtwerk_portal.settings.test"}
    return subprocess.run(
        [sys.executable, "manage.py", "relief_quote", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--commodity", "wind", "--forecast-kwh", "1", "--working-price-ct", "1"], "--commodity kennt „wind“ nicht"),
        (["--commodity", "gas", "--forecast-kwh", "-5", "--working-price-ct", "1"], "darf nicht negativ sein"),
        (["--commodity", "gas", "--forecast-kwh", "viel", "--working-price-ct", "1"], "muss eine Zahl sein"),
        (["--commodity", "gas", "--working-price-ct", "1"], "--forecast-kwh fehlt"),
        (["--commodity", "gas", "--forecast-kwh", "9", "--working-price-ct", "1", "--bogus"], "nicht verstanden"),
    ],
)
def test_bad_input_exits_2_with_one_german_line_and_no_traceback(arguments: list[str], message: str) -> None:
    completed = run_command(*arguments)

    assert completed.returncode == 2
    assert completed.stdout == ""
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1
    assert message in lines[0]
    assert "Traceback" not in completed.stderr
