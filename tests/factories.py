"""factory_boy factories shared by the tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import factory

from core.models import Role, User

PASSWORD = "correct horse battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="de_DE")
    display_name = factory.Faker("first_name", locale="de_DE")
    role = Role.CUSTOMER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save(update_fields=["password"])


class TariffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tariffs.Tariff"

    code = factory.Sequence(lambda n: f"tarif-{n}")
    name = factory.Sequence(lambda n: f"Stadtwerk Strom {n}")
    commodity = "electricity"
    is_basic_supply = False
    customer_group = "household"


class PriceVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tariffs.PriceVersion"

    tariff = factory.SubFactory(TariffFactory)
    valid_from = date(2020, 1, 1)
    valid_to = None
    working_price_net_ct = Decimal("30.0000")
    base_price_net_eur_year = Decimal("120.00")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "customers.Customer"

    user = factory.SubFactory(UserFactory, role=Role.CUSTOMER)
    customer_number = factory.Sequence(lambda n: f"{100000 + n}")
    name = factory.Faker("name", locale="de_DE")
    email = factory.LazyAttribute(lambda customer: customer.user.email if customer.user else "")
    phone = "0711 123456"
    street = "Hauptstraße 1"
    postal_code = "70173"
    city = "Stuttgart"


def malo_id_for(number: int) -> str:
    """Return a valid MaLo-ID (check digit included) derived from a number."""
    from customers.validators import malo_check_digit

    first_ten = f"{5000000000 + number:010d}"
    return first_ten + str(malo_check_digit(first_ten))


class ContractFactory(factory.django.DjangoModelFactory):
    """An active electricity contract since 2021 whose tariff costs 30 ct/kWh + 120 €/year net since 2020."""

    class Meta:
        model = "customers.Contract"

    customer = factory.SubFactory(CustomerFactory)
    contract_number = factory.Sequence(lambda n: f"V{700000 + n}")
    commodity = "electricity"
    tariff = factory.LazyAttribute(lambda contract: PriceVersionFactory(tariff__commodity=contract.commodity).tariff)
    street = "Hauptstraße 1"
    postal_code = "70173"
    city = "Stuttgart"
    malo_id = factory.Sequence(malo_id_for)
    meter_number = factory.Sequence(lambda n: f"1ESY{11000000 + n}")
    start_date = date(2021, 1, 1)
    forecast_kwh = Decimal(3500)
    forecast_sept_2022_kwh = Decimal(3500)
    installments_per_year = 12


class MeterReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "customers.MeterReading"

    contract = factory.SubFactory(ContractFactory)
    read_date = date(2026, 1, 1)
    value = Decimal(10000)
    source = "GRID_OPERATOR"


def crisis_tariff(commodity: str = "electricity", crisis_net_ct: str = "37.8151") -> Any:
    """Return a tariff at 30 ct/kWh net before 2022 and from 2024, and ``crisis_net_ct`` net in 2022 and 2023.

    The default, 37.8151 ct net, is 45 ct gross at 19 % VAT: with the factory's 3,500 kWh forecast the quota is
    2,800 kWh, 5 ct above the 40-ct electricity cap, so 11.67 € relief a month.
    """
    tariff = TariffFactory(commodity=commodity, name=f"Stadtwerk {commodity} Krise")
    PriceVersionFactory(tariff=tariff, valid_from=date(2020, 1, 1), valid_to=date(2022, 1, 1))
    PriceVersionFactory(
        tariff=tariff,
        valid_from=date(2022, 1, 1),
        valid_to=date(2024, 1, 1),
        working_price_net_ct=Decimal(crisis_net_ct),
    )
    PriceVersionFactory(tariff=tariff, valid_from=date(2024, 1, 1))
    return tariff
