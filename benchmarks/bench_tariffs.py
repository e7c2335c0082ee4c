"""Benchmark the tariff domain: relief schedule + Abschlag + annual bill for N synthetic contracts on one core.

Usage: python benchmarks/bench_tariffs.py [--contracts N] [--repeat R] [--render-repeat R]

Inputs are generated deterministically (random.Random(42)) before the clock starts: 60 % electricity, 30 % gas,
10 % heat; 15 % businesses; forecasts 1,500–40,000 kWh; a price change on 2023-07-01; bills for 2023, gas bills
May 2023 – April 2024 across the VAT change of 2024-04-01. Two modes are measured: computation only and computation
plus rendering every German explanation (schedule, Abschlag and bill). Each prints one summary line with the best and
the median of its runs (wall clock; the CPU-time rate beside it is less disturbed by other processes on a shared
machine). The empty-loop time printed first is a yardstick for comparing machines.
"""

import argparse
import platform
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tariffs.domain import advance, billing, prices, relief
from tariffs.domain.vat import DEFAULT_VAT_PERIODS, Commodity

PRICE_CHANGE = date(2023, 7, 1)
YEAR_START = date(2023, 1, 1)
NEXT_YEAR = date(2024, 1, 1)
GAS_BILL = (date(2023, 5, 1), date(2024, 5, 1))  # spans the price change and the VAT change of 2024-04-01
NET_AP_RANGE = {Commodity.ELECTRICITY: (28, 46), Commodity.GAS: (7, 19), Commodity.HEAT: (6, 14)}


@dataclass(frozen=True, slots=True)
class Contract:
    commodity: Commodity
    customer_group: relief.CustomerGroup
    forecast_kwh: Decimal
    consumption_kwh: Decimal
    versions: tuple[prices.PriceVersion, ...]
    bill_from: date
    bill_to: date


def _ct(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(rng.randint(int(low * 10_000), int(high * 10_000))) / 10_000


def _energy_share(working_price_ct: Decimal) -> Decimal:
    return (working_price_ct * Decimal("0.45")).quantize(Decimal("0.0001"))


def generate(count: int) -> list[Contract]:
    rng = random.Random(42)
    commodities = [Commodity.ELECTRICITY] * 6 + [Commodity.GAS] * 3 + [Commodity.HEAT]
    contracts = []
    for _ in range(count):
        commodity = rng.choice(commodities)
        low, high = NET_AP_RANGE[commodity]
        first_ap = _ct(rng, low, high)
        second_ap = max(first_ap + _ct(rng, -5, 3), Decimal("1.0000"))
        base = Decimal(rng.randint(6_000, 24_000)) / 100
        versions = (
            prices.PriceVersion(date(2022, 1, 1), PRICE_CHANGE, first_ap, base, _energy_share(first_ap)),
            prices.PriceVersion(PRICE_CHANGE, None, second_ap, base + 12, _energy_share(second_ap)),
        )
        forecast = Decimal(rng.randint(1_500, 40_000))
        bill_from, bill_to = GAS_BILL if commodity is Commodity.GAS else (YEAR_START, NEXT_YEAR)
        contracts.append(
            Contract(
                commodity=commodity,
                customer_group=relief.CustomerGroup.BUSINESS
                if rng.random() < 0.15
                else relief.CustomerGroup.HOUSEHOLD,
                forecast_kwh=forecast,
                consumption_kwh=(forecast * Decimal(rng.randint(85, 115)) / 100).quantize(Decimal(1)),
                versions=versions,
                bill_from=bill_from,
                bill_to=bill_to,
            )
        )
    return contracts


def compute(contract: Contract) -> tuple[advance.AdvancePayment, relief.ReliefSchedule, billing.Bill]:
    """Run one contract through the relief schedule, the Abschlag and the annual bill."""
    scheme = relief.select_scheme(
        commodity=contract.commodity, customer_group=contract.customer_group, annual_kwh=contract.forecast_kwh
    )
    versions = contract.versions
    start_price = prices.gross_prices_on(versions=versions, commodity=contract.commodity, day=YEAR_START)
    later_price = prices.gross_prices_on(versions=versions, commodity=contract.commodity, day=PRICE_CHANGE)
    first_ct = relief.comparison_price_ct(scheme=scheme, version=versions[0], vat_rate=start_price.vat_rate)
    second_ct = relief.comparison_price_ct(scheme=scheme, version=versions[1], vat_rate=later_price.vat_rate)
    base_advance = advance.advance_payment(
        forecast_kwh=contract.forecast_kwh,
        working_price_gross_ct=start_price.working_price_ct,
        base_price_gross_eur_year=start_price.base_price_eur_year,
    )
    schedule = relief.relief_schedule(
        scheme=scheme,
        quota_kwh_year=relief.quota_kwh(forecast_kwh=contract.forecast_kwh, quota_share=scheme.quota_share),
        working_price_ct_by_month=lambda month: first_ct if month < PRICE_CHANGE else second_ct,
        base_advance_eur=base_advance.installment_eur,
    )
    if contract.bill_from == YEAR_START:
        paid = schedule.total_advance_eur
    else:  # May 2023 … April 2024: the relief months from May, then four months of the plain Abschlag
        paid = sum(schedule.advance_eur_by_month[4:], Decimal(0)) + base_advance.installment_eur * 4
    bill = billing.compute_bill(
        commodity=contract.commodity,
        start_date=contract.bill_from,
        end_date=contract.bill_to,
        consumption_kwh=contract.consumption_kwh,
        price_versions=versions,
        vat_periods=DEFAULT_VAT_PERIODS,
        relief_by_month=schedule.relief_by_month(from_date=contract.bill_from, to_date=contract.bill_to),
        advances_paid_eur=paid,
    )
    return base_advance, schedule, bill


def run(contracts: list[Contract], *, render: bool) -> tuple[float, float]:
    """Return (wall seconds, CPU seconds) to compute, and optionally explain, every contract."""
    checksum = Decimal(0)
    wall, cpu = time.perf_counter(), time.process_time()
    for contract in contracts:
        base_advance, schedule, bill = compute(contract)
        checksum += bill.balance_eur + base_advance.installment_eur
        if render:
            for result in (base_advance, schedule, bill):
                for step in result.explanation:
                    checksum += len(step.text) + len(step.formula)
    return time.perf_counter() - wall, time.process_time() - cpu


def _loop_calibration() -> float:
    """Return the seconds an empty 10-million-step loop takes: a yardstick to compare machines with."""
    started = time.perf_counter()
    for _ in range(10_000_000):
        pass
    return time.perf_counter() - started


def _measure(label: str, contracts: list[Contract], *, render: bool, repeat: int) -> None:
    """Run ``repeat`` times, print each run and one summary line: best and median rate, wall clock and CPU time."""
    count = len(contracts)
    walls, cpus = [], []
    for attempt in range(1, repeat + 1):
        wall, cpu = run(contracts, render=render)
        walls.append(wall)
        cpus.append(cpu)
        print(f"  {label}, run {attempt}: {wall:.2f} s wall, {cpu:.2f} s CPU = {count / wall:,.0f} contracts/s")
    best = min(walls)
    print(
        f"{label}: {count:,} contracts in {best:.2f} s = {count / best:,.0f} contracts/s "
        f"(one core, best of {repeat}; median {count / statistics.median(walls):,.0f}/s; "
        f"by CPU time best {count / min(cpus):,.0f}/s, median {count / statistics.median(cpus):,.0f}/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="computation-only runs (default 3)")
    parser.add_argument("--render-repeat", type=int, default=1, help="runs with explanations rendered (default 1)")
    options = parser.parse_args()
    count = options.contracts
    contracts = generate(count)
    print(
        f"Python {platform.python_version()} ({sys.executable}) on {platform.machine()}; "
        f"empty 10M loop: {_loop_calibration():.2f} s; {count:,} synthetic contracts"
    )
    _measure("computation only", contracts, render=False, repeat=options.repeat)
    if options.render_repeat > 0:
        _measure("with explanations rendered", contracts, render=True, repeat=options.render_repeat)


if __name__ == "__main__":
    main()
