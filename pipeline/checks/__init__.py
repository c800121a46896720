"""Checks on read models: accessibility, claims, readability, review, the external checkers (findings only)."""
