"""Areas (P-codes), their risk assessments and levels, and where organisations are present."""
