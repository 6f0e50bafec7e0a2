"""Security briefings: the series an area's level calls for, one-off briefings, invitations."""
