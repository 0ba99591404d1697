// One-off queries against a test database, and the rows Better Auth writes, for suites that need
// a user without signing one up through the web.
import { randomBytes, randomUUID } from "node:crypto";
import { Client, type QueryResultRow } from "pg";
import type { Holder } from "./tokens";

/** node-postgres reads sslmode=require as verify-full and warns each time; say it outright. */
export function verifiedUrl(url: string): string {
  const u = new URL(url);
  if (u.searchParams.get("sslmode") === "require") u.searchParams.set("sslmode", "verify-full");
  return u.toString();
}

/** A database URL (one connection, for this call only) or a client already connected. */
export type Database = string | Client;

export async function sql<T extends QueryResultRow = Record<string, unknown>>(db: Database, text: string, values: unknown[] = []): Promise<T[]> {
  if (typeof db !== "string") return (await db.query<T>(text, values)).rows;
  const client = new Client({ connectionString: verifiedUrl(db), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** A "session" row as Better Auth writes it (expiresAt in UTC, a random bearer token). */
export async function insertSession(db: Database, userId: string, sessionId = `s-${randomUUID()}`, expiresInSeconds = 86_400): Promise<string> {
  await sql(
    db,
    `INSERT INTO "session" (id, "expiresAt", token, "createdAt", "updatedAt", "userId")
     VALUES ($1, (now() AT TIME ZONE 'UTC') + make_interval(secs => $2), $3, now(), now(), $4)`,
    [sessionId, expiresInSeconds, randomBytes(24).toString("base64url"), userId],
  );
  return sessionId;
}

/** A "user" row exactly as Better Auth writes it, with one live session (a day): whom tokens can be minted for. */
export async function insertUser(db: Database, user: { id?: string; name?: string; sessionId?: string } = {}): Promise<Holder> {
  const id = user.id ?? `u-${randomUUID()}`;
  await sql(db, `INSERT INTO "user" (id, name, email, "emailVerified", "createdAt", "updatedAt") VALUES ($1, $2, $3, true, now(), now())`, [
    id,
    user.name ?? `Name ${id}`,
    `${id}@example.test`,
  ]);
  return { id, sessionId: await insertSession(db, id, user.sessionId) };
}

/**
 * A statement on "task" for one user, as the api runs it: in a transaction that sets
 * `app.user_id` first. Row-level security on "task" is forced, so even the owner's role sees and
 * writes only that user's rows (migration 20261203080000_task_row_level_security).
 */
export async function sqlAs<T extends QueryResultRow = Record<string, unknown>>(
  db: Database,
  userId: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = typeof db === "string" ? new Client({ connectionString: verifiedUrl(db), connectionTimeoutMillis: 5000 }) : db;
  if (typeof db === "string") await client.connect();
  try {
    await client.query("BEGIN");
    try {
      await client.query("SELECT set_config('app.user_id', $1, true)", [userId]);
      const { rows } = await client.query<T>(text, values);
      await client.query("COMMIT");
      return rows;
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    }
  } finally {
    if (typeof db === "string") await client.end();
  }
}
