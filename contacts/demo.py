"""Demo contacts: touchpoints, consents (with wording and source), call tasks and interests (idempotent).

- The personas (created by customers.demo; skipped when missing): Melina & Jonas get a contract-signing visit, the
  courtesy call after their start (relying on their phone consent, recorded as a use), questions about the price
  brake and their lowered Abschlag, a care call for today and interests in PV and e-mobility. Hildegard, vulnerable,
  gets visits and calls about the price brake and her heat Abschlag, a letter consent only, and a callback due today.
- 300 further synthetic customers (numbers 3000001–3000300), each with a contract on an existing tariff, about five
  touchpoints, some consents and interests, and open tasks: courtesy calls for contracts that started in the last
  two weeks (due today or overdue), callbacks, a few win-back and review tasks. So the queue and timelines are full.

Everything is generated from ``random.Random(7)`` and keyed on stable numbers (customer and contract numbers, task
``source_key``): a second run creates nothing.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from contacts import consents
from contacts.models import CallGuide, CallTask, Channel, Consent, ConsentUse, Interest, Topic, Touchpoint
from core.models import User
from customers import selectors as customer_selectors
from customers.models import AdvancePaymentChange, Contract, Customer
from customers.validators import malo_check_digit
from tariffs.models import Commodity, PriceVersion, Tariff

Choice = TypeVar("Choice", bound=str)
BERLIN = ZoneInfo("Europe/Berlin")
AGENT_EMAIL = "anna@stadtwerk.example"
MELINA = "2100001"
HILDEGARD = "2100002"
SYNTHETIC_COUNT = 300
FIRST_NUMBER = 3_000_001

FIRST_NAMES = (
    "Anna", "Lukas", "Sophie", "Jonas", "Marie", "Felix", "Emma", "Paul", "Lena", "Maximilian", "Hannah", "Leon",
    "Laura", "Tim", "Julia", "David", "Sarah", "Jan", "Lea", "Niklas", "Katharina", "Tobias", "Johanna", "Moritz",
    "Ursula", "Wolfgang", "Renate", "Klaus", "Brigitte", "Jürgen", "Gisela", "Dieter", "Ingrid", "Manfred", "Helga",
    "Günter", "Monika", "Horst", "Sabine", "Uwe", "Petra", "Frank", "Andrea", "Stefan", "Birgit", "Thomas", "Elif",
    "Mehmet", "Aylin", "Can", "Olga", "Dmitri", "Agnieszka", "Piotr", "Giulia", "Marco",
)  # fmt: skip
LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
    "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
    "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier", "Lehmann",
    "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs",
    "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Schubert", "Yılmaz", "Kaya", "Nowak", "Rossi",
)  # fmt: skip
STREETS = (
    "Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schulstraße", "Kirchstraße", "Lindenstraße", "Bergstraße",
    "Mühlweg", "Am Stadtpark", "Rosenweg", "Birkenallee", "Neckarstraße", "Königstraße", "Schillerstraße",
    "Goethestraße", "Uhlandstraße", "Eichendorffweg", "Weinbergweg", "Talstraße", "Marktplatz",
)  # fmt: skip
PLACES = (
    ("70173", "Stuttgart"), ("70176", "Stuttgart"), ("70190", "Stuttgart"), ("70469", "Stuttgart"),
    ("70565", "Stuttgart"), ("70734", "Fellbach"), ("70806", "Kornwestheim"), ("71032", "Böblingen"),
)  # fmt: skip
_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ı": "i"})

SUMMARIES: dict[str, tuple[str, ...]] = {
    Topic.BILL: (
        "Fragen zur Jahresabrechnung: Verbrauch mit Vorjahr verglichen, Nachzahlung erklärt.",
        "Rechnung erklärt; geschätzter Zählerstand, Kundin reicht Foto des Zählers nach.",
        "Guthaben-Auszahlung erfragt; Termin genannt (innerhalb von zwei Wochen).",
    ),
    Topic.ADVANCE_PAYMENT: (
        "Abschlag nach der Abrechnung angepasst, neuer Betrag ab nächstem Monat.",
        "Wunsch nach niedrigerem Abschlag; Auswirkung auf die Nachzahlung erklärt.",
    ),
    Topic.PRICE_BRAKE: (
        "Preisbremse erklärt: Entlastung nach Prognose, nicht nach tatsächlichem Verbrauch.",
        "Frage, warum der März-Abschlag 2023 niedriger war: drei Monate Entlastung verrechnet.",
    ),
    Topic.PRICE_CHANGE: (
        "Preisänderung erklärt, Sonderkündigungsrecht genannt; Kunde bleibt.",
        "Schreiben zur Preisänderung nachgefragt; neue Preise und Abschlag erläutert.",
    ),
    Topic.METER_READING: (
        "Zählerstand telefonisch durchgegeben und erfasst.",
        "Zählerstand per E-Mail erhalten, plausibel.",
    ),
    Topic.MOVE: ("Umzug gemeldet; Schlussablesung und neue Lieferstelle besprochen.",),
    Topic.CANCELLATION: ("Kündigung bestätigt; nach Grund gefragt (freiwillig), keine weiteren Angebote gewünscht.",),
    Topic.TARIFF_ADVICE: ("Tarifberatung: Wechsel aus der Grundversorgung besprochen, Unterlagen zugeschickt.",),
    Topic.PV_STORAGE_EMOBILITY: ("Interesse an PV-Anlage und Speicher; Beratungstermin angeboten.",),
    Topic.HEAT_PUMP: ("Fragen zur Wärmepumpe und zum passenden Stromtarif; Infomaterial geschickt.",),
    Topic.COMPLAINT: (
        "Beschwerde über lange Wartezeit am Telefon; entschuldigt, Rückruf zugesagt.",
        "Beschwerde über Abschlagshöhe; Berechnung erklärt, Kunde noch unzufrieden.",
    ),
    Topic.OTHER: ("Allgemeine Frage zum Kundenportal, Zugang erklärt.",),
}
TOPIC_WEIGHTS = {
    Topic.BILL: 22, Topic.ADVANCE_PAYMENT: 16, Topic.PRICE_BRAKE: 12, Topic.PRICE_CHANGE: 10,
    Topic.METER_READING: 14, Topic.MOVE: 4, Topic.TARIFF_ADVICE: 5, Topic.PV_STORAGE_EMOBILITY: 4,
    Topic.HEAT_PUMP: 3, Topic.COMPLAINT: 5, Topic.OTHER: 5,
}  # fmt: skip
CHANNEL_WEIGHTS = {
    Channel.PHONE: 50, Channel.EMAIL: 20, Channel.LETTER: 8, Channel.PORTAL: 10, Channel.CUSTOMER_CENTER: 6,
    Channel.POP_UP_STORE: 2, Channel.EVENT: 1, Channel.CHAT: 3,
}  # fmt: skip
OUTCOME_WEIGHTS = {
    Touchpoint.Outcome.RESOLVED: 70, Touchpoint.Outcome.FOLLOW_UP: 12, Touchpoint.Outcome.CALLBACK_AGREED: 8,
    Touchpoint.Outcome.ESCALATED: 3, Touchpoint.Outcome.NOT_REACHED: 7,
}  # fmt: skip
ADVERTISING_TOPICS = (Topic.TARIFF_ADVICE, Topic.PV_STORAGE_EMOBILITY, Topic.HEAT_PUMP)
STAFFED_CHANNELS = {Channel.PHONE, Channel.EMAIL, Channel.CUSTOMER_CENTER, Channel.POP_UP_STORE, Channel.CHAT}


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def _mood(rng: random.Random, outcome: str) -> str:
    """Draw a mood; a call that reached nobody has none (the draw is made anyway, so the demo stays the same)."""
    mood = rng.choices(["POSITIVE", "NEUTRAL", "NEGATIVE", ""], weights=[30, 45, 10, 15])[0]
    return "" if outcome == Touchpoint.Outcome.NOT_REACHED else mood


def _pick(rng: random.Random, weights: Mapping[Choice, int]) -> Choice:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class Summary:
    customers: int = 0
    contracts: int = 0
    touchpoints: int = 0
    consents: int = 0
    consent_uses: int = 0
    tasks: int = 0
    interests: int = 0
    skipped_personas: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = (
            f"{self.customers} Kunden, {self.contracts} Verträge, {self.touchpoints} Kontakte, {self.consents} "
            f"Einwilligungen ({self.consent_uses} Nutzungen), {self.tasks} Anrufaufgaben, {self.interests} Interessen"
        )
        if self.skipped_personas:
            text += f"; Personas ohne Kundendatensatz übersprungen: {', '.join(self.skipped_personas)}"
        return text


@transaction.atomic
def seed_contacts(*, now: datetime) -> Summary:
    """Create the demo contacts that are missing and return what was created (nothing on a second run)."""
    summary = Summary()
    agent = User.objects.filter(email=AGENT_EMAIL).first()
    guides = {guide.topic: guide for guide in CallGuide.objects.all()}
    _seed_melina(now=now, agent=agent, guides=guides, summary=summary)
    _seed_hildegard(now=now, agent=agent, guides=guides, summary=summary)
    _seed_synthetic(now=now, agent=agent, guides=guides, summary=summary)
    return summary


# --- personas -------------------------------------------------------------------------------------------------------


def _persona(number: str, *, key: str, summary: Summary) -> Customer | None:
    """Return the persona's customer if it exists and was not seeded yet (its key task is the marker)."""
    customer = Customer.objects.filter(customer_number=number).first()
    if customer is None:
        summary.skipped_personas.append(number)
        return None
    if CallTask.objects.filter(source_key=key).exists():
        return None
    return customer


def _touch(customer: Customer, counts: Summary, **fields: object) -> Touchpoint:
    counts.touchpoints += 1
    return Touchpoint.objects.create(customer=customer, **fields)


def _seed_melina(*, now: datetime, agent: User | None, guides: dict[str, CallGuide], summary: Summary) -> None:
    key = f"demo:{MELINA}:care"
    customer = _persona(MELINA, key=key, summary=summary)
    if customer is None:
        return
    electricity = customer.contracts.filter(commodity=Commodity.ELECTRICITY).order_by("id").first()
    signed = _at(date(2021, 11, 20), 11, 30)
    _touch(
        customer, summary, contract=electricity, channel=Channel.POP_UP_STORE, direction=Touchpoint.Direction.INBOUND,
        topic=Topic.TARIFF_ADVICE, outcome=Touchpoint.Outcome.RESOLVED, occurred_at=signed, agent=agent,
        summary="Im Pop-up-Store in der Königstraße Strom und Gas für die erste gemeinsame Wohnung abgeschlossen.",
        sentiment=Touchpoint.Sentiment.POSITIVE, duration_seconds=1500,
    )  # fmt: skip
    phone = _grant(customer, Consent.ConsentChannel.PHONE, Consent.Purpose.ADVERTISING, signed, summary, agent=agent,
                   source=Consent.Source.CONTRACT_FORM)  # fmt: skip
    _grant(customer, Consent.ConsentChannel.PHONE, Consent.Purpose.SURVEY, signed, summary, agent=agent,
           source=Consent.Source.CONTRACT_FORM)  # fmt: skip
    email = _grant(customer, Consent.ConsentChannel.EMAIL, Consent.Purpose.ADVERTISING, _at(date(2022, 1, 9), 20, 14),
                   summary, source=Consent.Source.PORTAL)  # fmt: skip
    consents.confirm_email(customer=customer, token=email.confirmation_token, now=_at(date(2022, 1, 9), 20, 21))
    courtesy = _touch(
        customer, summary, contract=electricity, channel=Channel.PHONE, direction=Touchpoint.Direction.OUTBOUND,
        topic=Topic.COURTESY_CALL, outcome=Touchpoint.Outcome.RESOLVED, occurred_at=_at(date(2021, 12, 14), 17, 5),
        agent=agent, sentiment=Touchpoint.Sentiment.POSITIVE, would_recommend=9, duration_seconds=420,
        summary="Höflichkeitsanruf: Lieferbeginn bestätigt, Zählerstände vom Einzug geprüft, Portal erklärt.",
    )  # fmt: skip
    consents.record_use(consent=phone, purpose="Höflichkeitsanruf nach Vertragsbeginn", now=courtesy.occurred_at,
                        touchpoint=courtesy)  # fmt: skip
    summary.consent_uses += 1
    _touch(
        customer, summary, contract=electricity, channel=Channel.EMAIL, direction=Touchpoint.Direction.INBOUND,
        topic=Topic.PRICE_BRAKE, outcome=Touchpoint.Outcome.RESOLVED, occurred_at=_at(date(2023, 3, 6), 8, 40),
        agent=agent, sentiment=Touchpoint.Sentiment.NEUTRAL,
        summary="Frage, warum der März-Abschlag so niedrig ist: Preisbremse für Januar bis März verrechnet.",
    )  # fmt: skip
    _touch(
        customer, summary, contract=electricity, channel=Channel.PHONE, direction=Touchpoint.Direction.INBOUND,
        topic=Topic.ADVANCE_PAYMENT, outcome=Touchpoint.Outcome.RESOLVED, occurred_at=_at(date(2026, 2, 23), 12, 15),
        agent=agent, sentiment=Touchpoint.Sentiment.NEUTRAL, duration_seconds=540,
        summary="Elternzeit, Geld ist knapp: Abschlag ab März auf 75 € gesenkt; Nachzahlung absehbar, erklärt.",
    )  # fmt: skip
    for kind in (Interest.Kind.PV, Interest.Kind.EMOBILITY):
        _, created = Interest.objects.get_or_create(customer=customer, kind=kind, defaults={"noted_at": signed})
        summary.interests += created
    today = timezone.localdate(now)
    CallTask.objects.create(
        customer=customer, contract=electricity, kind=CallTask.Kind.CARE, topic=Topic.ADVANCE_PAYMENT,
        due_at=_at(today, 10), guide=guides.get(Topic.ADVANCE_PAYMENT), source_key=key,
        note="Abschlag im März gesenkt: Nachzahlung zum 1.12. absehbar, Ratenzahlung anbieten.",
    )  # fmt: skip
    summary.tasks += 1


def _seed_hildegard(*, now: datetime, agent: User | None, guides: dict[str, CallGuide], summary: Summary) -> None:
    key = f"demo:{HILDEGARD}:callback"
    customer = _persona(HILDEGARD, key=key, summary=summary)
    if customer is None:
        return
    contracts = {contract.commodity: contract for contract in customer.contracts.order_by("id")}
    electricity, heat = contracts.get(Commodity.ELECTRICITY), contracts.get(Commodity.HEAT)
    visit = _at(date(2022, 7, 19), 10, 0)
    _touch(
        customer, summary, contract=heat, channel=Channel.CUSTOMER_CENTER, direction=Touchpoint.Direction.INBOUND,
        topic=Topic.ADVANCE_PAYMENT, outcome=Touchpoint.Outcome.RESOLVED, occurred_at=visit, agent=agent,
        sentiment=Touchpoint.Sentiment.NEGATIVE, duration_seconds=1200,
        summary="Sorge vor hoher Nachzahlung für die Fernwärme; Abschlag ab August auf 105 € erhöht.",
    )  # fmt: skip
    _grant(customer, Consent.ConsentChannel.LETTER, Consent.Purpose.ADVERTISING, visit, summary, agent=agent,
           source=Consent.Source.CUSTOMER_CENTER)  # fmt: skip
    _touch(
        customer, summary, contract=heat, channel=Channel.LETTER, direction=Touchpoint.Direction.OUTBOUND,
        topic=Topic.PRICE_BRAKE, outcome=Touchpoint.Outcome.RESOLVED, occurred_at=_at(date(2023, 2, 15), 9, 0),
        summary="Schreiben zur Wärmepreisbremse und zur Dezember-Soforthilfe verschickt.",
    )  # fmt: skip
    _touch(
        customer, summary, contract=heat, channel=Channel.PHONE, direction=Touchpoint.Direction.INBOUND,
        topic=Topic.PRICE_BRAKE, outcome=Touchpoint.Outcome.RESOLVED, occurred_at=_at(date(2023, 3, 2), 9, 20),
        agent=agent, sentiment=Touchpoint.Sentiment.NEUTRAL, duration_seconds=900,
        summary="Preisbremse langsam erklärt und die Rechnung Schritt für Schritt vorgelesen; Kundin beruhigt.",
    )  # fmt: skip
    _touch(
        customer, summary, contract=electricity, channel=Channel.EVENT, direction=Touchpoint.Direction.INBOUND,
        topic=Topic.PV_STORAGE_EMOBILITY, outcome=Touchpoint.Outcome.FOLLOW_UP, occurred_at=_at(date(2025, 5, 17), 15),
        agent=agent, sentiment=Touchpoint.Sentiment.POSITIVE,
        summary="Am Stand beim Stadtfest nach einem Balkonkraftwerk gefragt; Infoblatt mitgegeben.",
    )  # fmt: skip
    _, created = Interest.objects.get_or_create(
        customer=customer, kind=Interest.Kind.PV, defaults={"noted_at": _at(date(2025, 5, 17), 15)}
    )
    summary.interests += created
    _touch(
        customer, summary, contract=heat, channel=Channel.PHONE, direction=Touchpoint.Direction.INBOUND,
        topic=Topic.BILL, outcome=Touchpoint.Outcome.CALLBACK_AGREED, occurred_at=now - timedelta(days=1),
        agent=agent, sentiment=Touchpoint.Sentiment.NEUTRAL, duration_seconds=300,
        summary="Frage zur Heizkostenabrechnung; Rückruf vereinbart, wenn die Unterlagen vorliegen.",
    )  # fmt: skip
    CallTask.objects.create(
        customer=customer, contract=heat, kind=CallTask.Kind.CALLBACK, topic=Topic.BILL,
        due_at=_at(timezone.localdate(now), 11), guide=guides.get(Topic.BILL), source_key=key,
        note="Rückruf vereinbart: Fragen zur Heizkostenabrechnung. Bitte langsam und geduldig erklären.",
    )  # fmt: skip
    summary.tasks += 1


def _grant(
    customer: Customer,
    channel: str,
    purpose: str,
    at: datetime,
    summary: Summary,
    *,
    source: str,
    agent: User | None = None,
) -> Consent:
    summary.consents += 1
    return consents.grant(
        customer=customer, channel=channel, purpose=purpose, source=source, now=at, recorded_by=agent
    )


# --- synthetic customers --------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    """Everything one synthetic customer gets, generated before looking at the database (same on every run)."""

    number: int
    customer: Customer
    contract: Contract
    touchpoints: list[Touchpoint]
    consents: list[Consent]
    tasks: list[CallTask]
    interests: list[Interest]


def _tariffs() -> dict[str, list[Tariff]]:
    tariffs: dict[str, list[Tariff]] = {}
    for tariff in Tariff.objects.filter(customer_group="household").order_by("is_basic_supply", "id"):
        tariffs.setdefault(tariff.commodity, []).append(tariff)
    if not tariffs:
        tariff, _ = Tariff.objects.get_or_create(
            code="demo-strom",
            defaults={"name": "Stadtwerk Strom Demo", "commodity": Commodity.ELECTRICITY, "is_active": True},
        )
        PriceVersion.objects.get_or_create(
            tariff=tariff,
            valid_from=date(2015, 1, 1),
            defaults={"working_price_net_ct": Decimal("28.5714"), "base_price_net_eur_year": Decimal("126.05")},
        )
        tariffs = {Commodity.ELECTRICITY: [tariff]}
    return tariffs


def _plan(number: int, rng: random.Random, *, now: datetime, tariffs: dict[str, list[Tariff]]) -> _Plan:
    today = timezone.localdate(now)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    postal_code, city = rng.choice(PLACES)
    street = f"{rng.choice(STREETS)} {rng.randint(1, 120)}"
    has_email = rng.random() < 0.7
    customer = Customer(
        customer_number=str(number),
        name=f"{first} {last}",
        email=f"{first}.{last}.{number}@example.net".lower().translate(_ASCII) if has_email else "",
        phone=f"07{rng.randint(11, 199)} {rng.randint(100000, 9999999)}",
        street=street,
        postal_code=postal_code,
        city=city,
        is_vulnerable=rng.random() < 0.05,
    )
    commodity = rng.choices([Commodity.ELECTRICITY, Commodity.GAS, Commodity.HEAT], weights=[70, 25, 5])[0]
    choices = tariffs.get(commodity) or next(iter(tariffs.values()))
    tariff = choices[0] if rng.random() < 0.8 else rng.choice(choices)
    recent = rng.random() < 0.08  # started in the last two weeks: a courtesy call is due
    start = (
        today - timedelta(days=rng.randint(1, 14))
        if recent
        else date(2021, 1, 1) + timedelta(days=rng.randint(0, (today - date(2021, 1, 1)).days - 30))
    )
    forecast: dict[str, tuple[int, int]] = {
        Commodity.ELECTRICITY: (1200, 5500),
        Commodity.GAS: (6000, 24000),
        Commodity.HEAT: (5000, 14000),
    }
    low, high = forecast[tariff.commodity]
    malo_prefix = f"{6_000_000_000 + number}"
    contract = Contract(
        contract_number=f"V9{number - FIRST_NUMBER + 1:05d}",
        commodity=tariff.commodity,
        tariff=tariff,
        is_basic_supply=tariff.is_basic_supply,
        street=street,
        postal_code=postal_code,
        city=city,
        malo_id=malo_prefix + str(malo_check_digit(malo_prefix)),
        meter_number=f"1ESY9{number:08d}",
        start_date=start,
        forecast_kwh=Decimal(rng.randrange(low, high, 50)),
        forecast_sept_2022_kwh=None,
        installments_per_year=12,
    )
    contract.forecast_sept_2022_kwh = contract.forecast_kwh if start < date(2022, 9, 1) else None

    signed = _at(start - timedelta(days=rng.randint(7, 40)), rng.randint(9, 17), rng.choice((0, 15, 30, 45)))
    plan_consents = []
    wants_phone = rng.random() < (0.8 if recent else 0.4)
    for consent_channel, purpose, share in (
        (Consent.ConsentChannel.PHONE, Consent.Purpose.ADVERTISING, 1.0 if wants_phone else 0.0),
        (Consent.ConsentChannel.EMAIL, Consent.Purpose.ADVERTISING, 0.3 if has_email else 0.0),
        (Consent.ConsentChannel.LETTER, Consent.Purpose.ADVERTISING, 0.2),
        (Consent.ConsentChannel.PHONE, Consent.Purpose.SURVEY, 0.2),
    ):
        if rng.random() >= share:
            continue
        withdrawn = None if recent or rng.random() >= 0.08 else min(now, signed + timedelta(days=rng.randint(60, 900)))
        plan_consents.append(
            Consent(
                channel=consent_channel,
                purpose=purpose,
                granted_at=signed,
                source=Consent.Source.CONTRACT_FORM,
                wording=consents.wording_for(channel=consent_channel, purpose=purpose),
                confirmed_at=signed + timedelta(hours=2)
                if consent_channel == Consent.ConsentChannel.EMAIL
                else signed,
                withdrawn_at=withdrawn,
                withdrawal_source=Consent.Source.PORTAL if withdrawn else "",
            )
        )

    plan_touchpoints = []
    first_day = max(start, today - timedelta(days=3 * 365))
    span = max((today - first_day).days, 1)
    for _ in range(rng.randint(3, 7) if not recent else rng.randint(1, 2)):
        channel = _pick(rng, CHANNEL_WEIGHTS)
        topic = _pick(rng, TOPIC_WEIGHTS)
        outcome = _pick(rng, OUTCOME_WEIGHTS) if channel == Channel.PHONE else Touchpoint.Outcome.RESOLVED
        day = first_day + timedelta(days=rng.randint(0, span - 1))
        occurred_at = min(_at(day, rng.randint(8, 17), rng.randint(0, 59)), now - timedelta(hours=1))
        outbound = channel == Channel.LETTER or rng.random() < 0.15
        plan_touchpoints.append(
            Touchpoint(
                channel=channel,
                direction=Touchpoint.Direction.OUTBOUND if outbound else Touchpoint.Direction.INBOUND,
                topic=topic,
                outcome=outcome,
                summary=rng.choice(SUMMARIES[topic]),
                occurred_at=occurred_at,
                duration_seconds=rng.randint(60, 1200) if channel == Channel.PHONE else None,
                sentiment=_mood(rng, outcome),
            )
        )
    if recent:
        plan_touchpoints.append(
            Touchpoint(
                channel=Channel.PORTAL,
                direction=Touchpoint.Direction.INBOUND,
                topic=Topic.TARIFF_ADVICE,
                outcome=Touchpoint.Outcome.RESOLVED,
                summary="Vertrag online abgeschlossen.",
                occurred_at=signed,
            )
        )

    plan_tasks = []
    contract_key = f"demo:{number}"
    if recent:
        due_day = min(start + timedelta(days=7), today)
        plan_tasks.append(
            CallTask(
                kind=CallTask.Kind.COURTESY,
                topic=Topic.COURTESY_CALL,
                due_at=_at(due_day, 9, rng.choice((0, 30))),
                source_key=None,  # set to the courtesy job's key once the contract is saved
                note="Neukundin/Neukunde: Höflichkeitsanruf nach Lieferbeginn.",
            )
        )
    roll = rng.random()
    if roll < 0.05:
        plan_tasks.append(
            CallTask(
                kind=CallTask.Kind.CALLBACK,
                topic=plan_touchpoints[-1].topic,
                due_at=_at(today + timedelta(days=rng.randint(-2, 3)), rng.randint(9, 16)),
                source_key=f"{contract_key}:callback",
                note="Rückruf vereinbart.",
            )
        )
    elif roll < 0.07:
        plan_tasks.append(
            CallTask(
                kind=CallTask.Kind.WIN_BACK,
                topic=Topic.CANCELLATION,
                due_at=_at(today + timedelta(days=rng.randint(0, 5)), 14),
                source_key=f"{contract_key}:win-back",
                note="Kündigung über den Kündigungsbutton eingegangen; respektvoll nach Gründen fragen.",
            )
        )
    elif roll < 0.09:
        plan_tasks.append(
            CallTask(
                kind=CallTask.Kind.REVIEW,
                topic=Topic.METER_READING,
                due_at=_at(today + timedelta(days=rng.randint(1, 7)), 10),
                source_key=f"{contract_key}:review",
                note="Auffälliger Zählerstand: bitte mit der Kundin oder dem Kunden klären.",
            )
        )

    interests = [
        Interest(kind=kind, noted_at=plan_touchpoints[0].occurred_at)
        for kind in Interest.Kind.values
        if rng.random() < 0.06
    ]
    return _Plan(number, customer, contract, plan_touchpoints, plan_consents, plan_tasks, interests)


def _seed_synthetic(*, now: datetime, agent: User | None, guides: dict[str, CallGuide], summary: Summary) -> None:
    rng = random.Random(7)
    tariffs = _tariffs()
    plans = [
        _plan(number, rng, now=now, tariffs=tariffs) for number in range(FIRST_NUMBER, FIRST_NUMBER + SYNTHETIC_COUNT)
    ]
    existing = set(
        Customer.objects.filter(customer_number__in=[plan.customer.customer_number for plan in plans]).values_list(
            "customer_number", flat=True
        )
    )
    plans = [plan for plan in plans if plan.customer.customer_number not in existing]
    if not plans:
        return
    Customer.objects.bulk_create([plan.customer for plan in plans])
    saved = Customer.objects.in_bulk([plan.customer.customer_number for plan in plans], field_name="customer_number")
    for plan in plans:
        plan.customer = saved[plan.customer.customer_number]
        plan.contract.customer = plan.customer
    Contract.objects.bulk_create([plan.contract for plan in plans])
    contracts = Contract.objects.in_bulk(
        [plan.contract.contract_number for plan in plans], field_name="contract_number"
    )
    for plan in plans:
        plan.contract = contracts[plan.contract.contract_number]
    summary.customers += len(plans)
    summary.contracts += len(plans)

    _seed_advances(plans=plans, now=now)

    touchpoints = []
    for plan in plans:
        for touchpoint in plan.touchpoints:
            touchpoint.customer = plan.customer
            touchpoint.contract = plan.contract
            touchpoint.agent = agent if touchpoint.channel in STAFFED_CHANNELS else None
            touchpoints.append(touchpoint)
        for consent in plan.consents:
            consent.customer = plan.customer
        for task in plan.tasks:
            task.customer = plan.customer
            task.contract = plan.contract
            task.guide = guides.get(task.topic)
            if task.kind == CallTask.Kind.COURTESY:  # the courtesy job's key, so the job never plans it twice
                task.source_key = f"courtesy:contract:{plan.contract.pk}"
        for interest in plan.interests:
            interest.customer = plan.customer
    Touchpoint.objects.bulk_create(touchpoints)
    Consent.objects.bulk_create([consent for plan in plans for consent in plan.consents])
    CallTask.objects.bulk_create([task for plan in plans for task in plan.tasks])
    Interest.objects.bulk_create([interest for plan in plans for interest in plan.interests], ignore_conflicts=True)
    summary.touchpoints += len(touchpoints)
    summary.consents += sum(len(plan.consents) for plan in plans)
    summary.tasks += sum(len(plan.tasks) for plan in plans)
    summary.interests += sum(len(plan.interests) for plan in plans)

    # Past advisory calls made by the Stadtwerk relied on the phone consent: each is recorded as a use (§ 7a UWG).
    new_numbers = [plan.customer.customer_number for plan in plans]
    phone_consents = {
        consent.customer_id: consent
        for consent in Consent.objects.filter(
            customer__customer_number__in=new_numbers,
            channel=Consent.ConsentChannel.PHONE,
            purpose=Consent.Purpose.ADVERTISING,
        ).order_by("granted_at", "id")
    }
    uses = []
    advisory_calls = Touchpoint.objects.filter(
        customer__customer_number__in=new_numbers,
        channel=Channel.PHONE,
        direction=Touchpoint.Direction.OUTBOUND,
        topic__in=ADVERTISING_TOPICS,
    ).order_by("occurred_at", "id")
    for touchpoint in advisory_calls:
        relied_on = phone_consents.get(touchpoint.customer_id)
        if relied_on is not None and _in_force_at(relied_on, touchpoint.occurred_at):
            uses.append(
                ConsentUse(
                    consent=relied_on, used_at=touchpoint.occurred_at, purpose="Beratungsanruf", touchpoint=touchpoint
                )
            )
    ConsentUse.objects.bulk_create(uses)
    summary.consent_uses += len(uses)


def _in_force_at(consent: Consent, moment: datetime) -> bool:
    return consent.granted_at <= moment and (consent.withdrawn_at is None or moment < consent.withdrawn_at)


def _seed_advances(*, plans: list[_Plan], now: datetime) -> None:
    """Give each new contract its current Abschlag, calculated from today's prices and the forecast."""
    today = timezone.localdate(now)
    pricing = customer_selectors.get_pricing_data(tariff_ids={plan.contract.tariff_id for plan in plans})
    changes = []
    for plan in plans:
        contract = plan.contract
        recommended = customer_selectors.recommended_advance(contract=contract, pricing=pricing, as_of=today)
        if recommended is None:
            continue
        start = contract.start_date
        first_due = start if start.day == 1 else date(start.year + start.month // 12, start.month % 12 + 1, 1)
        changes.append(
            AdvancePaymentChange(
                contract=contract,
                valid_from=min(first_due, today),
                amount_eur=recommended.installment_eur,
                recommended_eur=recommended.installment_eur,
                source=AdvancePaymentChange.Source.CALCULATED,
                reason="Abschlag nach Ihrer Jahresverbrauchsprognose.",
            )
        )
    AdvancePaymentChange.objects.bulk_create(changes)
