# shellcheck shell=bash
# Sourced by the postgres image's entrypoint once, when it initialises an empty volume (the Compose
# db mounts it into /docker-entrypoint-initdb.d). POSTGRES_USER (`postgres`) is the image's
# bootstrap superuser; this makes the migrator's role, `authbridge`: the database's owner, no
# superuser, with CREATEROLE for the services' roles (migrator/src/roles). Its password is
# POSTGRES_PASSWORD, handed to psql as a variable so it is never part of the SQL text.
psql -v ON_ERROR_STOP=1 -v pw="$POSTGRES_PASSWORD" -U postgres -d authbridge <<'SQL'
CREATE ROLE authbridge LOGIN CREATEROLE PASSWORD :'pw';
ALTER DATABASE authbridge OWNER TO authbridge;
SQL
