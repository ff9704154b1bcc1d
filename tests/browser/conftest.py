"""The browser tests' names, for the tests of this directory and others.

The fixtures themselves live in tests/browser/fixtures.py, loaded once for the whole suite
by tests/conftest.py; a conftest that imported them again would start a second Playwright.
"""

from tests.browser.fixtures import AXE, CHROMIUM, NO_AXE, NO_CHROMIUM, SCREENSHOTS, VIEWPORTS, PageFactory

__all__ = ["AXE", "CHROMIUM", "NO_AXE", "NO_CHROMIUM", "SCREENSHOTS", "VIEWPORTS", "PageFactory"]
