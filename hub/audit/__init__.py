"""The audit chain: an append-only, hash-chained log whose head the hub signs."""
