-- A database and a role per service; each role owns its database and nothing else (no service reads
-- another's database). Run once by the postgres image on an empty data directory.
-- The passwords are the compose file's defaults (<SERVICE>_DB_PASSWORD, default <service>-change-me):
-- change both together, or ALTER ROLE ... PASSWORD afterwards.
CREATE ROLE intake   LOGIN PASSWORD 'intake-change-me';
CREATE ROLE repair   LOGIN PASSWORD 'repair-change-me';
CREATE ROLE dispatch LOGIN PASSWORD 'dispatch-change-me';
CREATE ROLE partners LOGIN PASSWORD 'partners-change-me';
CREATE DATABASE intake   OWNER intake;
CREATE DATABASE repair   OWNER repair;
CREATE DATABASE dispatch OWNER dispatch;
CREATE DATABASE partners OWNER partners;
REVOKE ALL ON DATABASE intake, repair, dispatch, partners FROM PUBLIC;
GRANT CONNECT ON DATABASE intake TO intake;
GRANT CONNECT ON DATABASE repair TO repair;
GRANT CONNECT ON DATABASE dispatch TO dispatch;
GRANT CONNECT ON DATABASE partners TO partners;
