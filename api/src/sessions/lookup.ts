// The one query the session registry makes: a session row by its primary key ("session_pkey").
import type { Database } from "../db/prisma";
import type { SessionLookup } from "./registry";

export function createSessionLookup(db: Database): SessionLookup {
  return async (sessionId) => {
    const row = await db.session.findUnique({ where: { id: sessionId }, select: { userId: true, expiresAt: true } });
    return row ? { userId: row.userId, expiresAtMs: row.expiresAt.getTime() } : null;
  };
}
