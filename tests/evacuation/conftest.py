"""The browser fixtures (tests/browser/conftest.py) and axe, for this directory's browser test."""

from tests.browser.conftest import browser, new_page, playwright, shoot, viewport  # noqa: F401 - fixtures by name
from tests.browser.test_accessibility import axe_source  # noqa: F401 - a fixture, by name
