-- fundledger on PostgreSQL in production: the writer and auditor roles.
--
-- Run by the database owner (who ran `fundledger init` / `migrate`), after every migration:
--
--   psql "$DATABASE" -v schema=public -v writer=fundledger_writer -v auditor=fundledger_auditor \
--        -f migrations/roles.sql
--
-- It creates the two roles if they do not exist (NOLOGIN: grant them to login roles, e.g.
-- `GRANT fundledger_writer TO finance_app`) and sets their privileges on the schema's tables:
--
--   writer   posts (fundledger post, post --stream, check): INSERT and SELECT on the entries and
--            the Merkle nodes, never UPDATE, DELETE or TRUNCATE there; the projections, which the
--            write-time effects maintain (and verify/check re-derive), also UPDATE and DELETE.
--   auditor  reads everything (verify, trail, reports, export, prove) and writes nothing.
--
-- The entries are protected twice: these privileges, and the triggers of migration 0001, which
-- refuse UPDATE, DELETE and TRUNCATE even to the owner.

\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I NOLOGIN', :'writer')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'writer') \gexec
SELECT format('CREATE ROLE %I NOLOGIN', :'auditor')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'auditor') \gexec

REVOKE ALL ON ALL TABLES IN SCHEMA :"schema" FROM PUBLIC;
GRANT USAGE ON SCHEMA :"schema" TO :"writer", :"auditor";

-- the auditor: read only
GRANT SELECT ON ALL TABLES IN SCHEMA :"schema" TO :"auditor";

-- the writer: every table is a projection it maintains (derived from the entries, re-derived by
-- verify and the nightly run), whatever later migrations add; except the append-only tables,
-- which it may only read and insert into, and the owner's, which it may only read
REVOKE ALL ON ALL TABLES IN SCHEMA :"schema" FROM :"writer";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA :"schema" TO :"writer";
REVOKE UPDATE, DELETE ON :"schema".entries, :"schema".merkle_nodes FROM :"writer";
REVOKE INSERT, UPDATE, DELETE ON :"schema".settings, :"schema".alembic_version FROM :"writer";
GRANT USAGE ON ALL SEQUENCES IN SCHEMA :"schema" TO :"writer";
