// The two rows the api reads of Better Auth's tables (the web writes them): a session by its
// primary key ("session_pkey"), once per session's first sight, and the caller's user for /api/me.
// Prepared statements on the api's pool, like every task statement (db/tasks.ts): the api does not
// use Prisma (its client and query compiler cost about 30 MB a process).
import type { Queryable } from "./tasks";

export const SESSION_BY_ID = {
  name: "session_by_id",
  // expiresAt holds UTC (the web writes it through Prisma, whose convention for timestamp(3) that
  // is): the epoch of a timestamp without time zone reads it as UTC, the instant the web stored.
  text: `SELECT "userId", (extract(epoch FROM "expiresAt") * 1000)::float8 AS "expiresAtMs" FROM "session" WHERE id = $1`,
};

export const USER_BY_ID = {
  name: "user_by_id",
  text: `SELECT id, email, name FROM "user" WHERE id = $1`,
};

/** What the session registry keeps of a session (sessions/registry.ts). */
export interface SessionRow {
  userId: string;
  expiresAtMs: number;
}

export interface UserRow {
  id: string;
  email: string;
  name: string;
}

export async function selectSession(db: Queryable, sessionId: string): Promise<SessionRow | null> {
  const { rows } = await db.query<SessionRow>({ ...SESSION_BY_ID, values: [sessionId] });
  return rows[0] ?? null;
}

export async function selectUser(db: Queryable, userId: string): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>({ ...USER_BY_ID, values: [userId] });
  return rows[0] ?? null;
}
