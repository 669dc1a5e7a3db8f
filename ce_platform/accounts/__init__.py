"""Accounts: clinicians, instructors and administrators; sign-in, profile, API tokens."""
