"""The browser fixtures (tests/browser/conftest.py), for this directory's browser test."""

from tests.browser.conftest import browser, new_page, playwright, shoot, viewport  # noqa: F401 - fixtures by name
