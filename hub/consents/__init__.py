"""Consent: share requests the originator decides, and standing consents for new reports."""
