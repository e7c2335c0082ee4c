"""Browser tests: Playwright drives Debian chromium against pytest-django's live server; axe-core checks WCAG."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the current page and return its WCAG 2.1 A/AA violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


@pytest.fixture
def assert_accessible() -> Any:
    def check(page: Any) -> None:
        assert AXE.exists(), "axe-core missing: run `make install` (npm ci)"
        violations = axe_violations(page)
        assert violations == [], f"axe found WCAG violations on {page.url}: {violations}"

    return check


@pytest.fixture
def login(live_server: Any) -> Any:
    """Log in through the real form, as a person would."""

    def do_login(page: Any, email: str, password: str) -> None:
        page.goto(f"{live_server.url}/anmelden/")
        page.get_by_label("E-Mail-Adresse").fill(email)
        page.get_by_label("Passwort").fill(password)
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_load_state()

    return do_login
