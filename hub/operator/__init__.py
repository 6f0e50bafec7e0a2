"""The hub operator's pages: the audit log with the chain's verification, and health."""
