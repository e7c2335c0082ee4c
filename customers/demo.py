"""Demo data of the two customer personas: contracts with full histories from 2021 to today (idempotent).

- Melina & Jonas F. (melina@example.org): a young couple in their first flat since December 2021, electricity and
  gas (a m³ meter), billed every 1 December; money is tight, so in February 2026 they had Anna lower their
  electricity Abschlag on the phone.
- Hildegard M. (hildegard@example.org): a pensioner, electricity in basic supply and district heat since 2021,
  billed by calendar year; marked as vulnerable (besonders schutzbedürftig). In summer 2022, afraid of a large
  Nachzahlung, she had Anna raise her heat Abschlag at the customer centre.

Each contract gets its readings (a yearly grid-operator reading at the billing date, some customer readings, one
estimate), an Abschlag plan with its changes (initial, price and VAT changes, each bill, the customer's own change,
the December-2022 relief and the 2023 price brake), monthly instalments from the start to next month (paid up to
today), and the annual bills issued with customers.billing.issue_bill. Everything is keyed on stable numbers
(customer, contract and mandate numbers, dates), so a second run changes nothing.

Readings and Abschlag changes carry the moment they were entered (``created_at``, which the agent's timeline shows)
and who entered them: a customer's reading on its reading day in the evening, the agent's Abschlag changes at the
time of the call or visit that contacts.demo records; the automatic rows early on the day they were made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from core.models import User
from customers import billing, relief, selectors
from customers.models import AdvancePaymentChange, Contract, Customer, Installment, MeterReading, SepaMandate
from customers.validators import malo_check_digit
from tariffs import demo as tariffs_demo
from tariffs import selectors as tariff_selectors
from tariffs.domain import advance
from tariffs.models import Commodity, Tariff

BERLIN = ZoneInfo("Europe/Berlin")
AGENT_EMAIL = "anna@stadtwerk.example"  # the agent persona (core.demo), who made the personas' Abschlag changes
GRID, CUSTOMER, ESTIMATE = (
    MeterReading.Source.GRID_OPERATOR,
    MeterReading.Source.CUSTOMER,
    MeterReading.Source.ESTIMATE,
)
DECEMBER_2022 = date(2022, 12, 1)
VAT_CHANGES = {
    date(2022, 10, 1): "Die Umsatzsteuer auf Gas und Fernwärme sinkt auf 7 %.",
    date(2024, 4, 1): "Die Umsatzsteuer auf Gas und Fernwärme steigt wieder auf 19 %.",
}


class PlanEvent(NamedTuple):
    """Why the Abschlag is set anew on a due date: a new consumption basis, or the customer's own amount."""

    source: str
    reason: str
    basis_kwh: Decimal | None = None  # None: keep the basis
    customer_amount_eur: Decimal | None = None
    decided_at: datetime | None = None  # when the customer's own amount was entered
    by_agent: bool = False


class CustomerChange(NamedTuple):
    """An Abschlag the customer chose, from a due date on: entered at ``decided_at``, in the portal or by the agent
    during a call or visit (contacts.demo records that touchpoint at the same time)."""

    valid_from: date
    amount_eur: str
    reason: str
    decided_at: datetime
    by_agent: bool = False


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


@dataclass(frozen=True, slots=True)
class DemoContract:
    contract_number: str
    commodity: str
    tariff_code: str
    malo_prefix: str  # the first ten digits; the check digit is computed
    meter_number: str
    start_date: date
    forecast_kwh: int
    readings: tuple[tuple[date, int, str], ...]  # (read date, value in the meter's unit, source)
    bills: tuple[tuple[date, date], ...]  # (end reading's date, issued date)
    customer_changes: tuple[CustomerChange, ...] = ()
    meter_unit: str = Contract.MeterUnit.KWH
    gas_state_factor: str | None = None
    gas_calorific_value: str | None = None
    notice_period_months: int = 1
    minimum_term_end: date | None = None

    @property
    def malo_id(self) -> str:
        return self.malo_prefix + str(malo_check_digit(self.malo_prefix))


@dataclass(frozen=True, slots=True)
class DemoCustomer:
    email: str
    customer_number: str
    name: str
    phone: str
    street: str
    postal_code: str
    city: str
    is_vulnerable: bool
    mandate_reference: str
    iban: str
    contracts: tuple[DemoContract, ...] = field(default_factory=tuple)


MELINA_BILLS = (
    (date(2022, 12, 1), date(2022, 12, 9)),
    (date(2023, 12, 1), date(2023, 12, 8)),
    (date(2024, 12, 1), date(2024, 12, 6)),
    (date(2025, 12, 1), date(2025, 12, 5)),
)
HILDEGARD_BILLS = (
    (date(2022, 1, 1), date(2022, 1, 14)),
    (date(2023, 1, 1), date(2023, 1, 13)),
    (date(2024, 1, 1), date(2024, 1, 12)),
    (date(2025, 1, 1), date(2025, 1, 15)),
    (date(2026, 1, 1), date(2026, 1, 14)),
)

PERSONAS = (
    DemoCustomer(
        email="melina@example.org",
        customer_number="2100001",
        name="Melina und Jonas Franke",
        phone="0711 2345678",
        street="Lindenstraße 12",
        postal_code="70190",
        city="Stuttgart",
        is_vulnerable=False,
        mandate_reference="SW-2100001-01",
        iban="DE02120300000000202051",
        contracts=(
            DemoContract(
                contract_number="V810001",
                commodity=Commodity.ELECTRICITY,
                tariff_code=tariffs_demo.ELECTRICITY,
                malo_prefix="5123456780",
                meter_number="1ESY1160421357",
                start_date=date(2021, 12, 1),
                forecast_kwh=2600,
                minimum_term_end=date(2022, 12, 1),
                readings=(
                    (date(2021, 12, 1), 18204, GRID),
                    (date(2022, 6, 12), 19530, CUSTOMER),
                    (date(2022, 12, 1), 20854, GRID),
                    (date(2023, 6, 18), 22010, CUSTOMER),
                    (date(2023, 12, 1), 23334, GRID),
                    # the meter was not accessible: the grid operator estimated the reading
                    (date(2024, 12, 1), 25854, ESTIMATE),
                    (date(2025, 3, 9), 26460, CUSTOMER),
                    (date(2025, 12, 1), 28554, GRID),
                    (date(2026, 5, 3), 29660, CUSTOMER),
                    (date(2026, 11, 2), 30940, CUSTOMER),
                ),
                bills=MELINA_BILLS,
                customer_changes=(
                    CustomerChange(
                        date(2026, 3, 1),
                        "75.00",
                        "Jonas ist in Elternzeit, wir müssen gerade sparen. Den Rest zahlen wir mit der Abrechnung.",
                        decided_at=_at(date(2026, 2, 23), 12, 22),  # the phone call with Anna from 12:15
                        by_agent=True,
                    ),
                ),
            ),
            DemoContract(
                contract_number="V810002",
                commodity=Commodity.GAS,
                tariff_code=tariffs_demo.GAS,
                malo_prefix="5123456791",
                meter_number="7GMT0004521893",
                start_date=date(2021, 12, 1),
                forecast_kwh=11000,
                minimum_term_end=date(2022, 12, 1),
                meter_unit=Contract.MeterUnit.CUBIC_METRE,
                gas_state_factor="0.9500",
                gas_calorific_value="11.000",
                readings=(
                    (date(2021, 12, 1), 4521, GRID),
                    (date(2022, 12, 1), 5611, GRID),
                    (date(2023, 3, 5), 5980, CUSTOMER),
                    (date(2023, 12, 1), 6516, GRID),
                    (date(2024, 12, 1), 7476, GRID),
                    (date(2025, 12, 1), 8486, GRID),
                    (date(2026, 11, 2), 9390, CUSTOMER),
                ),
                bills=MELINA_BILLS,
            ),
        ),
    ),
    DemoCustomer(
        email="hildegard@example.org",
        customer_number="2100002",
        name="Hildegard Meyer",
        phone="0711 8765432",
        street="Schillerstraße 4",
        postal_code="70173",
        city="Stuttgart",
        is_vulnerable=True,
        mandate_reference="SW-2100002-01",
        iban="DE12500105170648489890",
        contracts=(
            DemoContract(
                contract_number="V820001",
                commodity=Commodity.ELECTRICITY,
                tariff_code=tariffs_demo.ELECTRICITY_BASIC,
                malo_prefix="5234567801",
                meter_number="1ESY1150012984",
                start_date=date(2021, 1, 1),
                forecast_kwh=1600,
                readings=(
                    (date(2021, 1, 1), 40112, GRID),
                    (date(2022, 1, 1), 41762, GRID),
                    (date(2023, 1, 1), 43342, GRID),
                    (date(2023, 7, 1), 44080, CUSTOMER),
                    (date(2024, 1, 1), 44832, GRID),
                    (date(2025, 1, 1), 46352, GRID),
                    (date(2026, 1, 1), 47912, GRID),
                    (date(2026, 7, 4), 48690, CUSTOMER),
                ),
                bills=HILDEGARD_BILLS,
            ),
            DemoContract(
                contract_number="V820002",
                commodity=Commodity.HEAT,
                tariff_code=tariffs_demo.HEAT,
                malo_prefix="5234567812",
                meter_number="WMZ-0030217",
                start_date=date(2021, 1, 1),
                forecast_kwh=8500,
                notice_period_months=3,
                readings=(
                    (date(2021, 1, 1), 61250, GRID),
                    (date(2022, 1, 1), 70150, GRID),
                    (date(2023, 1, 1), 78450, GRID),
                    (date(2024, 1, 1), 86050, GRID),
                    (date(2025, 1, 1), 94150, GRID),
                    (date(2026, 1, 1), 102600, GRID),
                    (date(2026, 7, 4), 105980, CUSTOMER),
                ),
                bills=HILDEGARD_BILLS,
                customer_changes=(
                    CustomerChange(
                        date(2022, 8, 1),
                        "105.00",
                        "Lieber etwas mehr zahlen, damit keine große Nachzahlung kommt.",
                        decided_at=_at(date(2022, 7, 19), 10, 15),  # the visit at the customer centre from 10:00
                        by_agent=True,
                    ),
                ),
            ),
        ),
    ),
)


def seed_customers(*, today: date) -> list[Customer]:
    """Create or update the personas' customer records and histories up to ``today``; return the customers.

    Needs the persona users (core.demo.seed_users) and the demo tariffs (tariffs.demo.seed_tariffs).
    """
    customers = []
    agent = User.objects.filter(email=AGENT_EMAIL).first()
    for persona in PERSONAS:
        user = User.objects.get(email=persona.email)
        customer, _created = Customer.objects.update_or_create(
            customer_number=persona.customer_number,
            defaults={
                "user": user,
                "name": persona.name,
                "email": persona.email,
                "phone": persona.phone,
                "street": persona.street,
                "postal_code": persona.postal_code,
                "city": persona.city,
                "is_vulnerable": persona.is_vulnerable,
            },
        )
        first_start = min(demo.start_date for demo in persona.contracts)
        SepaMandate.objects.get_or_create(
            reference=persona.mandate_reference,
            defaults={
                "customer": customer,
                "iban": persona.iban,
                "account_holder": persona.name,
                "signed_at": datetime.combine(first_start, time(10, 0), tzinfo=BERLIN),
            },
        )
        for demo in persona.contracts:
            _seed_contract(customer=customer, demo=demo, today=today, user=user, agent=agent)
        customers.append(customer)
    return customers


def _seed_contract(*, customer: Customer, demo: DemoContract, today: date, user: User, agent: User | None) -> Contract:
    tariff = Tariff.objects.get(code=demo.tariff_code)
    contract, _created = Contract.objects.update_or_create(
        contract_number=demo.contract_number,
        defaults={
            "customer": customer,
            "commodity": demo.commodity,
            "tariff": tariff,
            "is_basic_supply": tariff.is_basic_supply,
            "street": customer.street,
            "postal_code": customer.postal_code,
            "city": customer.city,
            "malo_id": demo.malo_id,
            "meter_number": demo.meter_number,
            "meter_unit": demo.meter_unit,
            "gas_state_factor": Decimal(demo.gas_state_factor) if demo.gas_state_factor else None,
            "gas_calorific_value": Decimal(demo.gas_calorific_value) if demo.gas_calorific_value else None,
            "start_date": demo.start_date,
            "forecast_kwh": Decimal(demo.forecast_kwh),
            "forecast_sept_2022_kwh": Decimal(demo.forecast_kwh),
            "installments_per_year": 12,
            "notice_period_months": demo.notice_period_months,
            "minimum_term_end": demo.minimum_term_end,
        },
    )
    readings = {}
    for read_date, value, source in demo.readings:
        if read_date > today:
            continue
        by_customer = source == CUSTOMER
        readings[read_date], _created = MeterReading.objects.update_or_create(
            contract=contract,
            read_date=read_date,
            defaults={"value": Decimal(value), "source": source, "created_by": user if by_customer else None},
        )
        # in the portal after work; the grid operator's readings and estimates arrive early in the morning
        _backdate(readings[read_date], _at(read_date, 19, 40) if by_customer else _at(read_date, 6))
    _seed_advance_plan(contract=contract, demo=demo, today=today, user=user, agent=agent)
    for reading_date, issued_date in demo.bills:
        if issued_date <= today and reading_date in readings:
            billing.issue_bill(contract=contract, end_reading=readings[reading_date], issued_date=issued_date)
    return contract


def _backdate(row: MeterReading | AdvancePaymentChange, created_at: datetime) -> None:
    """Set ``created_at`` (auto_now_add ignores a value given on create) to when the row was really entered."""
    if row.created_at != created_at:
        type(row).objects.filter(pk=row.pk).update(created_at=created_at)
        row.created_at = created_at


def _months(first: date, last: date) -> list[date]:
    """Return the first days of the months from ``first`` to ``last`` (both first days of months), inclusive."""
    months = []
    year, month = first.year, first.month
    while date(year, month, 1) <= last:
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def _seed_advance_plan(*, contract: Contract, demo: DemoContract, today: date, user: User, agent: User | None) -> None:
    """Write the Abschlag changes and the monthly instalments from the contract start to next month.

    The base Abschlag is recalculated (forecast, or after a bill the billed consumption per year, × the gross prices
    of the day) at the start, at each price or VAT change and after each bill; the customer's own change holds until
    the next such event. December 2022 (gas, heat) is not collected (December relief); in 2023 the price-brake relief
    is deducted as credited (March carries January and February).
    """
    pricing = selectors.get_pricing_data(tariff_ids={contract.tariff_id})
    schedule = relief.get_contract_relief(
        contract=contract, pricing=pricing, schemes=tariff_selectors.get_price_brake_schemes()
    ).schedule
    credited = dict(zip(schedule.months, schedule.credited_eur_by_month, strict=True)) if schedule else {}
    versions = pricing.versions_by_tariff.get(contract.tariff_id, ())

    events: dict[date, PlanEvent] = {}
    first_due = demo.start_date if demo.start_date.day == 1 else _next_month(demo.start_date)
    events[first_due] = PlanEvent(
        AdvancePaymentChange.Source.CALCULATED,
        "Erster Abschlag nach Ihrer Jahresverbrauchsprognose.",
        basis_kwh=Decimal(demo.forecast_kwh),
    )
    for version in versions:
        if version.valid_from > first_due:
            events[version.valid_from] = PlanEvent(
                AdvancePaymentChange.Source.PRICE_CHANGE, f"Preisänderung zum {version.valid_from:%d.%m.%Y}."
            )
    if contract.commodity in (Commodity.GAS, Commodity.HEAT):
        for day, reason in VAT_CHANGES.items():
            if day > first_due and day not in events:
                events[day] = PlanEvent(AdvancePaymentChange.Source.CALCULATED, reason)
    reading_values = {read_date: Decimal(value) for read_date, value, _source in demo.readings}
    previous_date = demo.readings[0][0]  # the first bill starts at the contract's first reading
    for reading_date, issued_date in demo.bills:
        days = (reading_date - previous_date).days
        kwh = selectors.to_kwh(
            contract=contract, meter_delta=reading_values[reading_date] - reading_values[previous_date]
        )
        events[_next_month(issued_date)] = PlanEvent(
            AdvancePaymentChange.Source.BILL,
            f"Neuer Abschlag nach der Jahresabrechnung vom {issued_date:%d.%m.%Y}.",
            basis_kwh=(kwh * 365 / days).quantize(Decimal(1)),
        )
        previous_date = reading_date
    for wish in demo.customer_changes:
        events[wish.valid_from] = PlanEvent(
            AdvancePaymentChange.Source.AGENT if wish.by_agent else AdvancePaymentChange.Source.CUSTOMER,
            wish.reason,
            customer_amount_eur=Decimal(wish.amount_eur),
            decided_at=wish.decided_at,
            by_agent=wish.by_agent,
        )
    bill_run = {_next_month(issued_date): issued_date for _reading_date, issued_date in demo.bills}

    basis = Decimal(demo.forecast_kwh)
    base = recommended = Decimal("0.00")
    previous_amount: Decimal | None = None
    for due in _months(first_due, _next_month(today)):
        event = events.get(due)
        gross = pricing.gross_on(tariff_id=contract.tariff_id, commodity=contract.commodity, day=due)
        assert gross is not None, f"the demo tariff has no price on {due}"
        if event is not None and event.basis_kwh is not None:
            basis = event.basis_kwh
        recommended = advance.advance_payment(
            forecast_kwh=basis,
            working_price_gross_ct=gross.working_price_ct,
            base_price_gross_eur_year=gross.base_price_eur_year,
            installments=contract.installments_per_year,
        ).installment_eur
        if event is not None:
            base = event.customer_amount_eur if event.customer_amount_eur is not None else recommended
        credit = credited.get(due, Decimal("0.00"))
        if due == DECEMBER_2022 and contract.commodity in (Commodity.GAS, Commodity.HEAT):
            credit = base
        amount = max(base - credit, Decimal("0.00"))
        if event is not None or amount != previous_amount:
            source = event.source if event is not None else AdvancePaymentChange.Source.CALCULATED
            reason = event.reason if event is not None else ""
            if due == DECEMBER_2022 and credit:
                reason = "Dezember-Soforthilfe 2022: Der Abschlag für Dezember entfällt, der Staat übernimmt ihn."
            elif credit and due == date(2023, 3, 1):
                reason = "Preisbremse 2023: Die Entlastung für Januar, Februar und März wird verrechnet."
            elif credit:
                reason = (
                    reason + " " if reason else ""
                ) + "Preisbremse 2023: Die monatliche Entlastung wird verrechnet."
            elif not reason:
                reason = "Abschlag wieder in voller Höhe."
            created_by = None
            if event is not None and event.decided_at is not None:
                created_by = agent if event.by_agent else user
            change, _created = AdvancePaymentChange.objects.update_or_create(
                contract=contract,
                valid_from=due,
                defaults={
                    "amount_eur": amount,
                    "recommended_eur": max(recommended - credit, Decimal("0.00")),
                    "source": source,
                    "reason": reason,
                    "created_by": created_by,
                },
            )
            _backdate(change, _change_entered_at(event, due=due, bill_run=bill_run, today=today))
        Installment.objects.update_or_create(
            contract=contract,
            due_date=due,
            defaults={"amount_eur": amount, "relief_eur": base - amount, "paid_at": due if due <= today else None},
        )
        previous_amount = amount


def _change_entered_at(event: PlanEvent | None, *, due: date, bill_run: dict[date, date], today: date) -> datetime:
    """Return when an Abschlag change was entered: the customer's (or the agent's) at its moment; one after a bill
    with the bill run on the issue date; the other automatic ones early on their due date (today at the latest)."""
    if event is not None and event.decided_at is not None:
        return event.decided_at
    if event is not None and event.source == AdvancePaymentChange.Source.BILL and due in bill_run:
        return _at(bill_run[due], 6)
    return _at(min(due, today), 6)
