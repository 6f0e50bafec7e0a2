"""Members of partner organisations: accounts, roles, grants of the organisation's keys,
invitations."""
