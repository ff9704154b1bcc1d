"""Browser tests: Debian's Chromium driven through Playwright against the live server."""
