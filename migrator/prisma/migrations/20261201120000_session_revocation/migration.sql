-- Hand-written migration (Prisma cannot express functions or triggers and leaves them alone when
-- diffing): tell every listening api process, through NOTIFY, that a session has ended, so it stops
-- accepting access tokens minted from that session within a second instead of at their `exp`.
--
-- A session ends when its row is deleted (sign-out, revoke-sessions, revoke-other-sessions, and
-- user deletion through the ON DELETE CASCADE of "session_userId_fkey") or when its "expiresAt" is
-- moved into the past. The payload is the session id only: never the session token (a bearer
-- secret) nor the user id. NOTIFY is sent when the transaction commits, and not at all if it rolls
-- back. The channel name is shared with the api's session listener and nothing else.
--
-- "expiresAt" is TIMESTAMP(3) holding UTC (Prisma's convention), hence the comparison in UTC.
-- The api finds a session by "session_pkey" (its primary key on "id").

-- CreateFunction
CREATE FUNCTION "authbridge_notify_session_ended"() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('authbridge_session_ended', OLD."id");
    RETURN NULL;
END;
$$;

-- CreateTrigger
CREATE TRIGGER "session_ended_on_delete"
    AFTER DELETE ON "session"
    FOR EACH ROW
    EXECUTE FUNCTION "authbridge_notify_session_ended"();

-- CreateTrigger
CREATE TRIGGER "session_ended_on_expiry"
    AFTER UPDATE OF "expiresAt" ON "session"
    FOR EACH ROW
    WHEN (NEW."expiresAt" <= (now() AT TIME ZONE 'UTC') AND OLD."expiresAt" > (now() AT TIME ZONE 'UTC'))
    EXECUTE FUNCTION "authbridge_notify_session_ended"();
