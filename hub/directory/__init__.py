"""The partners' directory: who to call in each organisation present in an area, as each
member chose to show themselves (hub/directory/service.py says who sees what)."""
