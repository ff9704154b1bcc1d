"""Corridor's cryptographic core: the only code that touches keys. No Django imports."""
