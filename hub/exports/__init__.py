"""CSV exports: aggregates anyone may share, and the content of reports one's organisation holds."""
