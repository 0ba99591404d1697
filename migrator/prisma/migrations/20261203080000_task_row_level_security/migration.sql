-- Hand-written migration (Prisma cannot express row-level security and leaves it alone when
-- diffing): PostgreSQL itself keeps each user's tasks to that user, a second line behind the
-- api's own `WHERE "userId" = ...`.
--
-- The api sets the request's user per transaction, `SELECT set_config('app.user_id', <id>, true)`,
-- in the same transaction as each task statement (api/src/db/asUser.ts), so the setting ends with
-- its transaction and never reaches the next checkout of a pooled connection. With no user set,
-- current_setting(..., true) is NULL (or '' once a transaction on that connection has set and
-- ended it): no row matches, and no row can be written.
--
-- FORCE: the table's owner (the migrator's role) is held to the policies too; only a superuser or
-- a BYPASSRLS role is not, and neither service role is one (migrator/src/roles). The call sits in
-- a subselect so PostgreSQL evaluates it once per statement (an InitPlan), not once per row, and
-- "task_userId_createdAt_id_idx" still serves the list. Foreign-key checks and the ON DELETE
-- CASCADE from "user" are not filtered by RLS, so deleting a user still removes their tasks.

-- EnableRowLevelSecurity
ALTER TABLE "task" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "task" FORCE ROW LEVEL SECURITY;

-- CreatePolicy
CREATE POLICY "task_select_own" ON "task" FOR SELECT
    USING ("userId" = (SELECT current_setting('app.user_id', true)));

-- CreatePolicy
CREATE POLICY "task_insert_own" ON "task" FOR INSERT
    WITH CHECK ("userId" = (SELECT current_setting('app.user_id', true)));

-- CreatePolicy
CREATE POLICY "task_update_own" ON "task" FOR UPDATE
    USING ("userId" = (SELECT current_setting('app.user_id', true)))
    WITH CHECK ("userId" = (SELECT current_setting('app.user_id', true)));

-- CreatePolicy
CREATE POLICY "task_delete_own" ON "task" FOR DELETE
    USING ("userId" = (SELECT current_setting('app.user_id', true)));

-- Only the owner creates objects in the schema (PostgreSQL 15 made this the default for new
-- databases; older servers and databases upgraded from them still grant CREATE to PUBLIC).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
