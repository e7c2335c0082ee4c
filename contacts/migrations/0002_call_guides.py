"""Default call guides (Gesprächsleitfäden), one step per line. Admins edit them afterwards; rerunning keeps edits.

``load`` is importable so that transactional tests, which flush every table, can put the guides back.
"""

from django.db import migrations

GUIDES = {
    "COURTESY_CALL": (
        "Höflichkeitsanruf nach Vertragsbeginn",
        [
            "Begrüßen, sich mit Vornamen und „Stadtwerk“ vorstellen und fragen, ob gerade ein guter Moment ist.",
            "Für die Entscheidung für das Stadtwerk danken und die Wahl bestätigen: Tarif und Lieferbeginn nennen.",
            "Daten prüfen: Anschrift der Lieferstelle, Zählernummer, Abschlag und Bankverbindung (nur die letzten vier Ziffern der IBAN nennen).",
            "Fragen: „Haben Sie noch Fragen zu Ihrem Vertrag, zur Rechnung oder zum Kundenportal?“",
            "Weiterempfehlung erfragen: „Wie wahrscheinlich ist es, dass Sie uns weiterempfehlen – auf einer Skala von 0 bis 10?“",
            "Bedanken, auf das Kundenportal und die Service-Zeiten hinweisen und freundlich verabschieden.",
        ],
    ),
    "PRICE_BRAKE": (
        "Fragen zur Preisbremse",
        [
            "Begrüßen und das Anliegen erfragen.",
            "Erklären: Die Preisbremse 2023 deckelt den Arbeitspreis für 80 % der Jahresverbrauchsprognose (Strom 40 ct/kWh, Gas 12 ct/kWh, Wärme 9,5 ct/kWh brutto).",
            "Die Entlastung hängt nicht vom tatsächlichen Verbrauch ab; sie wurde mit den Abschlägen ab März 2023 verrechnet (im März für Januar bis März).",
            "Die Erläuterung aus dem 360°-Bildschirm vorlesen: Kontingent, Differenz zum Referenzpreis, Entlastung pro Monat.",
            "Auf die Jahresabrechnung verweisen, in der Entlastungsbetrag und Kontingent ausgewiesen sind.",
            "Offene Fragen klären, bedanken und verabschieden.",
        ],
    ),
    "PRICE_CHANGE": (
        "Preisänderung erklären",
        [
            "Begrüßen und das Anliegen erfragen.",
            "Den Grund der Preisänderung erklären (z. B. Beschaffungskosten, Netzentgelte, Umlagen oder Steuern).",
            "Die neuen Preise nennen: Arbeitspreis und Grundpreis brutto, alt und neu, und ab wann sie gelten.",
            "Den neuen Abschlag nennen und anbieten, ihn anzupassen.",
            "Auf das Sonderkündigungsrecht hinweisen: Kündigung ohne Frist zum Tag, an dem die Änderung wirksam wird.",
            "Offene Fragen klären, bedanken und verabschieden.",
        ],
    ),
    "COMPLAINT": (
        "Beschwerde aufnehmen",
        [
            "Begrüßen, ausreden lassen und aufmerksam zuhören.",
            "Verständnis zeigen und für den Hinweis danken, ohne zu rechtfertigen.",
            "Den Sachverhalt zusammenfassen und nachfragen, ob alles richtig verstanden ist.",
            "Eine Lösung anbieten oder den nächsten Schritt mit Termin nennen (Rückruf, Prüfung, Korrektur).",
            "Auf die Schlichtungsstelle Energie hinweisen, falls die Kundin oder der Kunde nicht zufrieden ist.",
            "Das Gespräch mit Ergebnis und vereinbarter Frist dokumentieren; bedanken und verabschieden.",
        ],
    ),
    "BILL": (
        "Fragen zur Rechnung",
        [
            "Begrüßen und die Rechnungsnummer erfragen.",
            "Zählerstände und Verbrauch prüfen: Sind Stände geschätzt? Passt der Verbrauch zum Vorjahr?",
            "Die Rechnung erklären: Arbeitspreis × Verbrauch, Grundpreis anteilig nach Tagen, Umsatzsteuer, Entlastung, gezahlte Abschläge.",
            "Nachzahlung oder Guthaben erklären; bei Guthaben: Auszahlung innerhalb von zwei Wochen.",
            "Bei Bedarf den Abschlag anpassen oder eine Ratenzahlung anbieten.",
            "Offene Fragen klären, bedanken und verabschieden.",
        ],
    ),
    "CANCELLATION": (
        "Kündigung und Rückgewinnung",
        [
            "Begrüßen und für die bisherige Treue danken.",
            "Respektvoll nach dem Grund fragen – die Antwort ist freiwillig.",
            "Ein passendes Angebot nennen, wenn es eines gibt (anderer Tarif, Abschlag, Beratung), ohne Druck auszuüben.",
            "Eine Ablehnung sofort akzeptieren; die Kündigung wird in jedem Fall bearbeitet.",
            "Das Vertragsende und die Schlussablesung nennen; die Bestätigung kommt schriftlich.",
            "Bedanken und freundlich verabschieden.",
        ],
    ),
}


def load(apps, schema_editor):
    """Create the default guides that are missing; guides an admin has edited stay as they are."""
    CallGuide = apps.get_model("contacts", "CallGuide")
    for topic, (title, steps) in GUIDES.items():
        CallGuide.objects.get_or_create(topic=topic, defaults={"title": title, "body": "\n".join(steps)})


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
