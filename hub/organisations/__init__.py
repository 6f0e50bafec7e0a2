"""Partner organisations: their keys, applications to join, and the committee's decisions."""
