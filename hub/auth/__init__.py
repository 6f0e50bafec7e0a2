"""Logging in (unlocking a member's key), sessions, TOTP, lockout and the account pages."""
