"""Playwright fixtures for every browser test: one headless Debian Chromium per test process.

Loaded once as a plugin (tests/conftest.py names it), so every directory's browser tests share
the same Playwright and browser: the sync API allows only one running at a time in a process.
Every test runs at two viewports, a small phone and a desktop, and can save full-page
screenshots to test-artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
NO_CHROMIUM = "Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
]
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
AXE = Path(__file__).resolve().parents[2] / ".tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
NO_AXE = "axe-core is not installed in .tools/axe: scripts/axe.sh installs it (scripts/test.sh runs it)"

PageFactory = Callable[..., Page]

# The Playwright open in this process, if any: the sync API allows one at a time.
_RUNNING: list[Playwright] = []


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's sync API, with Django told that the ORM may run beside its event loop.

    The sync API keeps an asyncio loop running in the main thread for as long as it is
    open, so Django would refuse every ORM call made by a test (test database, totp_code,
    fixtures). Nothing here is async code; the flag is set only while the loop runs.
    """
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    if _RUNNING:
        # A conftest registered these fixtures a second time: share the one already open.
        yield _RUNNING[0]
        return
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            _RUNNING.append(p)
            try:
                yield p
            finally:
                _RUNNING.clear()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, never a browser Playwright downloads."""
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    """The viewport name, "phone" (360×740) or "desktop" (1280×900)."""
    return str(request.param)


@pytest.fixture
def new_page(browser: Browser, viewport: str) -> Iterator[PageFactory]:
    """Pages in fresh contexts (no shared cookies) at this test's viewport; the browser speaks Russian."""
    contexts: list[BrowserContext] = []

    def factory(*, java_script_enabled: bool = True) -> Page:
        context = browser.new_context(
            viewport=VIEWPORTS[viewport], locale="ru-RU", java_script_enabled=java_script_enabled
        )
        contexts.append(context)
        return context.new_page()

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: PageFactory) -> Page:
    """A page at this test's viewport (phone 360×740 or desktop 1280×900)."""
    return new_page()


@pytest.fixture
def shoot(viewport: str) -> Callable[[Page, str], None]:
    """Save a full-page screenshot as test-artifacts/screenshots/<name>-<viewport>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page: Page, name: str) -> None:
        page.wait_for_load_state("load")  # the stylesheet too, not only the DOM the test looked at
        page.screenshot(path=SCREENSHOTS / f"{name}-{viewport}.png", full_page=True)

    return save


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, to inject into pages under test (installed by scripts/axe.sh)."""
    if not AXE.exists():
        pytest.skip(NO_AXE)
    return AXE.read_text(encoding="utf-8")
