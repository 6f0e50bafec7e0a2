"""Reports: published sealed and signed, read by their holders, shared with consent, withdrawn."""
