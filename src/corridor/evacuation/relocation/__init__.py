"""Relocation pathways abroad, partner organisations and referral packets."""
