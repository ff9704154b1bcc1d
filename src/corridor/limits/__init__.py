"""Limits shared by the apps: the Argon2id pool (memory-capped, fair) and failure throttles.

This package sits below accounts and hotline, which use it; it imports neither.
"""
