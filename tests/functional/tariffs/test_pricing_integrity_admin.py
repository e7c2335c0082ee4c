"""The admin changes prices only through price changes (QA round 2, findings 2 and 3)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tariffs import pricing_changes
from tariffs.models import PriceChange, PriceVersion, Tariff
from tests.factories import ContractFactory, PriceVersionFactory, TariffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Any, make_user: Any) -> Any:
    client.force_login(make_user("ADMIN", is_staff=True, is_superuser=True))
    return client


def published_version(tariff: Any) -> PriceVersion:
    change = pricing_changes.create_price_change(
        tariff=tariff,
        valid_from=pricing_changes.first_of_month_on_or_after(timezone.localdate() + timedelta(weeks=7)),
        working_price_net_ct=Decimal("29.0421"),
        base_price_net_eur_year=Decimal("150.00"),
        reason="Netzentgelte steigen.",
        conditions="",
    )
    pricing_changes.publish(change, timezone.now())
    change.refresh_from_db()
    assert change.price_version is not None
    return change.price_version


def tariff_form(tariff: Any, *, versions: list[PriceVersion], new: dict[str, str] | None = None) -> dict[str, Any]:
    """The tariff's change form as the browser posts it, optionally with one more version in the inline."""
    data: dict[str, Any] = {
        "code": tariff.code,
        "name": tariff.name,
        "commodity": tariff.commodity,
        "customer_group": tariff.customer_group,
        "description": tariff.description,
        "is_active": "on",
        "price_versions-TOTAL_FORMS": str(len(versions) + (1 if new else 0)),
        "price_versions-INITIAL_FORMS": str(len(versions)),
        "price_versions-MIN_NUM_FORMS": "0",
        "price_versions-MAX_NUM_FORMS": "1000",
    }
    for index, version in enumerate(versions):
        row = {
            "id": str(version.pk),
            "tariff": str(tariff.pk),
            "valid_from": f"{version.valid_from:%d.%m.%Y}",
            # ended where the new version begins, so that the two do not overlap
            "valid_to": new["valid_from"] if new and version.valid_to is None else "",
            "working_price_net_ct": str(version.working_price_net_ct),
            "base_price_net_eur_year": str(version.base_price_net_eur_year),
        }
        data.update({f"price_versions-{index}-{name}": value for name, value in row.items()})
    if new:
        for name, value in new.items():
            data[f"price_versions-{len(versions)}-{name}"] = value
        data[f"price_versions-{len(versions)}-tariff"] = str(tariff.pk)
    return data


NEW_VERSION = {"valid_from": "01.04.2027", "working_price_net_ct": "50", "base_price_net_eur_year": "300"}


def test_a_version_behind_a_published_change_cannot_be_changed(admin_client: Any) -> None:
    tariff = ContractFactory(tariff=PriceVersionFactory().tariff).tariff
    version = published_version(tariff)
    url = reverse("admin:tariffs_priceversion_change", args=[version.pk])

    page = admin_client.get(url)
    response = admin_client.post(
        url,
        {
            "tariff": tariff.pk,
            "valid_from": f"{version.valid_from:%d.%m.%Y}",
            "working_price_net_ct": "35",
            "base_price_net_eur_year": "150",
        },
    )

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.working_price_net_ct == Decimal("29.0421")


def test_price_versions_cannot_be_added_or_deleted_on_their_own_page(admin_client: Any) -> None:
    version = PriceVersionFactory()

    assert admin_client.get(reverse("admin:tariffs_priceversion_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:tariffs_priceversion_delete", args=[version.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert PriceVersion.objects.filter(pk=version.pk).exists()


def test_the_tariff_inline_adds_no_version_to_a_tariff_in_use(admin_client: Any) -> None:
    tariff = ContractFactory(tariff=PriceVersionFactory().tariff).tariff
    versions = list(tariff.price_versions.order_by("valid_from"))
    url = reverse("admin:tariffs_tariff_change", args=[tariff.pk])

    response = admin_client.post(url, tariff_form(tariff, versions=versions, new=NEW_VERSION))

    assert response.status_code == 302
    assert list(tariff.price_versions.values_list("valid_from", "valid_to")) == [(date(2020, 1, 1), None)]


def test_the_tariff_inline_shows_the_history_of_a_tariff_in_use_read_only(admin_client: Any) -> None:
    tariff = ContractFactory(tariff=PriceVersionFactory().tariff).tariff

    page = admin_client.get(reverse("admin:tariffs_tariff_change", args=[tariff.pk])).content.decode()

    assert 'name="price_versions-0-working_price_net_ct"' not in page
    assert "price_versions-empty" not in page


def test_a_tariff_in_use_without_any_version_may_get_its_first_one(admin_client: Any) -> None:
    tariff = TariffFactory()
    ContractFactory(tariff=tariff)

    response = admin_client.post(
        reverse("admin:tariffs_tariff_change", args=[tariff.pk]), tariff_form(tariff, versions=[], new=NEW_VERSION)
    )

    assert response.status_code == 302
    assert list(tariff.price_versions.values_list("valid_from", "working_price_net_ct")) == [
        (date(2027, 4, 1), Decimal("50.0000"))
    ]


def test_a_new_tariff_gets_its_prices_in_the_inline(admin_client: Any) -> None:
    data = tariff_form(TariffFactory.build(code="neu", name="Neu"), versions=[], new=NEW_VERSION)
    data.pop("price_versions-0-tariff")

    response = admin_client.post(reverse("admin:tariffs_tariff_add"), data)

    assert response.status_code == 302
    assert Tariff.objects.get(code="neu").price_versions.count() == 1


def test_deleting_a_draft_in_the_admin_leaves_the_price_history_untouched(admin_client: Any) -> None:
    tariff = PriceVersionFactory().tariff
    change = pricing_changes.create_price_change(
        tariff=tariff,
        valid_from=date(2027, 4, 1),
        working_price_net_ct=Decimal(50),
        base_price_net_eur_year=Decimal(300),
        reason="x",
        conditions="",
    )

    response = admin_client.post(reverse("admin:tariffs_pricechange_delete", args=[change.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not PriceChange.objects.exists()
    assert list(tariff.price_versions.values_list("valid_from", "valid_to")) == [(date(2020, 1, 1), None)]


def test_a_published_change_cannot_be_deleted(admin_client: Any) -> None:
    tariff = PriceVersionFactory().tariff
    version = published_version(tariff)

    response = admin_client.post(
        reverse("admin:tariffs_pricechange_delete", args=[version.price_change.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert PriceChange.objects.filter(pk=version.price_change.pk).exists()


# --- VAT-only changes (finding 3) -----------------------------------------------------------------------------------


def test_the_form_refuses_a_vat_only_change_with_new_net_prices(admin_client: Any) -> None:
    tariff = PriceVersionFactory(
        working_price_net_ct=Decimal("8.5042"), base_price_net_eur_year=Decimal("115.97")
    ).tariff

    response = admin_client.post(
        reverse("admin:tariffs_pricechange_add"),
        {
            "tariff": tariff.pk,
            "effective_date": "01.03.2027",
            "working_price_net_ct": "9,9000",
            "base_price_net_eur_year": "130,00",
            "reason": "Umsatzsteuer",
            "is_vat_only": "on",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Eine reine Umsatzsteueränderung ändert keine Nettopreise" in page
    assert "8,5042" in page
    assert not PriceChange.objects.exists()


def test_the_form_takes_a_vat_only_change_without_prices(admin_client: Any) -> None:
    tariff = PriceVersionFactory().tariff

    response = admin_client.post(
        reverse("admin:tariffs_pricechange_add"),
        {"tariff": tariff.pk, "effective_date": "01.03.2027", "reason": "Umsatzsteuer", "is_vat_only": "on"},
    )

    assert response.status_code == 302
    change = PriceChange.objects.get(tariff=tariff)
    assert (change.is_vat_only, change.working_price_net_ct, change.price_version) == (True, None, None)


def test_the_form_wants_prices_for_a_change_that_is_not_vat_only(admin_client: Any) -> None:
    tariff = PriceVersionFactory().tariff

    response = admin_client.post(
        reverse("admin:tariffs_pricechange_add"),
        {"tariff": tariff.pk, "effective_date": "01.03.2027", "reason": "Netzentgelte"},
    )

    assert response.status_code == 200
    assert "Bitte geben Sie den neuen Arbeitspreis und den neuen Grundpreis (netto) an." in response.content.decode()
    assert not PriceChange.objects.exists()
