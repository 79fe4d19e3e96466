#!/bin/sh
# Runs once when the PostgreSQL container creates its database (compose.yaml): a role for the
# bot that can only SELECT the tables the owner creates later (oews-bot data build).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v reader_password="$OEWS_DB_READER_PASSWORD" <<'SQL'
CREATE ROLE oews_reader LOGIN PASSWORD :'reader_password';
GRANT CONNECT ON DATABASE oews TO oews_reader;
GRANT USAGE ON SCHEMA public TO oews_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE oews_owner IN SCHEMA public GRANT SELECT ON TABLES TO oews_reader;
ALTER ROLE oews_reader SET default_transaction_read_only = on;
ALTER ROLE oews_reader SET statement_timeout = '10s';
ALTER ROLE oews_reader SET work_mem = '16MB';
SQL
