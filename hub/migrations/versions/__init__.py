"""The Alembic revisions, one module each, in order of their down_revision."""
