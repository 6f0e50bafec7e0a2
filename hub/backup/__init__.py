"""`slthub backup` and `slthub restore`: one gzip'd tar holding a database snapshot, the
sealed attachments and a signed manifest; the hub's own keys only when asked for.

- archive.py: writing the tar, and reading one back only after every member matched the
  manifest's SHA-256 (a damaged or truncated archive writes nothing);
- databases.py: SQLite's online backup API, pg_dump/pg_restore under an exported snapshot;
- service.py: the two entry points the CLI (cli.py) calls.

What the archive holds is what a seized database holds: headers, ciphertexts, wraps and
locked keys (docs/threat-model.md); the seizure drill searches it for canaries.
"""
