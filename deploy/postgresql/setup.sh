#!/bin/sh
# The hub's PostgreSQL role and database, least privilege:
# - one LOGIN role, no superuser, cannot create databases or roles, no replication, and
#   no password: it connects over the local socket with peer authentication, as the
#   `slthub` system user that runs the services (pg_hba.conf: `local slthub slthub peer`);
# - one database owned by that role, that no other role may connect to (PUBLIC's CONNECT
#   and TEMPORARY revoked), whose `public` schema only that role may create objects in.
# The role owns its tables because `slthub init` and `slthub restore` create and drop them.
#
# Run as the PostgreSQL superuser; safe to run again:
#   sudo -u postgres sh deploy/postgresql/setup.sh [ROLE [DATABASE]]     (default: slthub)
# Then SLTHUB_DATABASE_URL=postgresql+psycopg://slthub@/slthub?host=/var/run/postgresql
# PSQL, and libpq's PGHOST/PGPORT/PGUSER, choose another psql or server.
set -eu

role="${1:-slthub}"
database="${2:-$role}"

"${PSQL:-psql}" --no-psqlrc --quiet --set=ON_ERROR_STOP=1 \
  --set=role="$role" --set=db="$database" --dbname=postgres <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS '
              'CONNECTION LIMIT 100', :'role') \gexec

SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'db', :'role', 'UTF8')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', :'db', :'role') \gexec

\connect :"db"
-- PostgreSQL 15 already keeps CREATE on `public` from PUBLIC; older servers do not.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SELECT format('ALTER SCHEMA public OWNER TO %I', :'role') \gexec
SQL

echo "PostgreSQL role and database '$role' / '$database' ready."
