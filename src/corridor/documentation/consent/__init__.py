"""Consent per person and per statement, and the exports of documentation that honour it."""
