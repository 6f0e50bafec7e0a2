"""The hub side of alerts: liaison designations (API, CLI), the acknowledgement page, the
delivery log, and the wiring that hands alerts its `Directory`, channels and scheduler."""
