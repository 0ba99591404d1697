// What each database role can do, probed for real: every probe runs in a transaction that is
// rolled back, as the owner (the migrator's role), the api's role and the web's role, and is
// answered "refused" (SQLSTATE 42501: no privilege, or a row-level security check), "empty" (ran,
// saw or touched no row) or "done" (ran and saw or touched rows). The same probes serve the
// native suite (a pg client per role) and the Compose smoke test (psql inside the db container),
// through a ProbeRunner.
import { Client } from "pg";
import { verifiedUrl } from "./sql";

export type Outcome = "refused" | "empty" | "done";
export type Role = "owner" | "api" | "web";

/** The fixture's two users: the probes act as A and aim at B's rows. */
export const USER_A = "privilege-user-a";
export const USER_B = "privilege-user-b";

export interface Probe {
  name: string;
  /** Sets app.user_id first, as the api does for each task statement. */
  asUser?: string;
  /** Run in order; the last returns one row with one integer `n` (rows seen or touched). */
  statements: string[];
}

const count = (sql: string) => `SELECT count(*)::int AS n FROM (${sql}) AS probe`;
const touched = (sql: string) => `WITH probe AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM probe`;
const ran = "SELECT 1 AS n";

export const PROBES: readonly Probe[] = [
  { name: "read password hashes", statements: [count(`SELECT password FROM account WHERE password IS NOT NULL`)] },
  { name: "read session tokens", statements: [count(`SELECT token FROM "session"`)] },
  { name: "read verification values", statements: [count(`SELECT value FROM verification`)] },
  { name: "read jwks private keys", statements: [count(`SELECT "privateKey" FROM jwks`)] },
  { name: "read rate-limit rows", statements: [count(`SELECT key FROM rate_limit`)] },
  { name: "read sign-in failure counters", statements: [count(`SELECT email FROM sign_in_failure`)] },
  { name: "read the migration history", statements: [count(`SELECT migration_name FROM _prisma_migrations`)] },
  { name: "read a session's user and expiry (the api's lookup)", statements: [count(`SELECT id, "userId", "expiresAt" FROM "session"`)] },
  { name: "read a user's id, email and name (/api/me)", statements: [count(`SELECT id, email, name FROM "user"`)] },
  { name: "disable the session trigger", statements: [`ALTER TABLE "session" DISABLE TRIGGER USER`, ran] },
  { name: "drop the revocation function", statements: [`DROP FUNCTION authbridge_notify_session_ended() CASCADE`, ran] },
  { name: "create a table", statements: [`CREATE TABLE privilege_probe (id int)`, ran] },
  { name: "create a temporary table", statements: [`CREATE TEMPORARY TABLE privilege_probe_temp (id int)`, ran] },
  { name: "delete users", statements: [touched(`DELETE FROM "user"`)] },
  { name: "run a program on the server (COPY TO PROGRAM)", statements: [`COPY (SELECT 1) TO PROGRAM 'true'`, ran] },
  {
    name: "turn row-level security off and read every task",
    statements: [`ALTER TABLE task DISABLE ROW LEVEL SECURITY`, count(`SELECT id FROM task`)],
  },
  { name: "read tasks, no user set", statements: [count(`SELECT id FROM task`)] },
  {
    name: "write a task, no user set",
    statements: [touched(`INSERT INTO task (id, "userId", title, "updatedAt") VALUES ('probe-none', '${USER_A}', 'x', now())`)],
  },
  { name: "read own tasks (user set)", asUser: USER_A, statements: [count(`SELECT id FROM task`)] },
  { name: "read another user's tasks (user set)", asUser: USER_A, statements: [count(`SELECT id FROM task WHERE "userId" = '${USER_B}'`)] },
  {
    name: "insert a task for another user (user set)",
    asUser: USER_A,
    statements: [touched(`INSERT INTO task (id, "userId", title, "updatedAt") VALUES ('probe-other', '${USER_B}', 'x', now())`)],
  },
  {
    name: "update another user's tasks (user set)",
    asUser: USER_A,
    statements: [touched(`UPDATE task SET title = 'x' WHERE "userId" = '${USER_B}'`)],
  },
  {
    name: "move own task to another user (user set)",
    asUser: USER_A,
    statements: [touched(`UPDATE task SET "userId" = '${USER_B}' WHERE "userId" = '${USER_A}'`)],
  },
  { name: "delete another user's tasks (user set)", asUser: USER_A, statements: [touched(`DELETE FROM task WHERE "userId" = '${USER_B}'`)] },
];

/**
 * What must hold. The owner's column is what makes each probe able to fail: it owns everything, so
 * what the services are refused it can do, except what needs a superuser (a program on the server)
 * and what row-level security, forced on "task" for the owner too, filters, until it turns that off.
 */
export const EXPECTED: Record<string, Record<Role, Outcome>> = {
  "read password hashes": { owner: "done", web: "done", api: "refused" },
  "read session tokens": { owner: "done", web: "done", api: "refused" },
  "read verification values": { owner: "done", web: "done", api: "refused" },
  "read jwks private keys": { owner: "done", web: "done", api: "refused" },
  "read rate-limit rows": { owner: "done", web: "done", api: "refused" },
  "read sign-in failure counters": { owner: "done", web: "done", api: "refused" },
  "read the migration history": { owner: "done", web: "refused", api: "refused" },
  "read a session's user and expiry (the api's lookup)": { owner: "done", web: "done", api: "done" },
  "read a user's id, email and name (/api/me)": { owner: "done", web: "done", api: "done" },
  "disable the session trigger": { owner: "done", web: "refused", api: "refused" },
  "drop the revocation function": { owner: "done", web: "refused", api: "refused" },
  "create a table": { owner: "done", web: "refused", api: "refused" },
  "create a temporary table": { owner: "done", web: "refused", api: "refused" },
  "delete users": { owner: "done", web: "done", api: "refused" },
  "run a program on the server (COPY TO PROGRAM)": { owner: "refused", web: "refused", api: "refused" },
  "turn row-level security off and read every task": { owner: "done", web: "refused", api: "refused" },
  "read tasks, no user set": { owner: "empty", web: "refused", api: "empty" },
  "write a task, no user set": { owner: "refused", web: "refused", api: "refused" },
  "read own tasks (user set)": { owner: "done", web: "refused", api: "done" },
  "read another user's tasks (user set)": { owner: "empty", web: "refused", api: "empty" },
  "insert a task for another user (user set)": { owner: "refused", web: "refused", api: "refused" },
  "update another user's tasks (user set)": { owner: "empty", web: "refused", api: "empty" },
  "move own task to another user (user set)": { owner: "refused", web: "refused", api: "refused" },
  "delete another user's tasks (user set)": { owner: "empty", web: "refused", api: "empty" },
};

/** The answer to one probe: the SQLSTATE it failed with, or the `n` its last statement returned. */
export type ProbeAnswer = { code: string; message: string } | { n: number };

/** Runs `statements` as `role` inside BEGIN ... ROLLBACK and reports how the last one ended. */
export type ProbeRunner = (role: Role, statements: string[]) => Promise<ProbeAnswer>;

const INSUFFICIENT_PRIVILEGE = "42501";

export function outcomeOf(answer: ProbeAnswer, probe: string): Outcome {
  if ("n" in answer) return answer.n > 0 ? "done" : "empty";
  if (answer.code === INSUFFICIENT_PRIVILEGE) return "refused";
  throw new Error(`probe "${probe}" failed for another reason than a privilege (SQLSTATE ${answer.code}): ${answer.message}`);
}

/** Every probe as every role: { probe: { owner, api, web } }, comparable with EXPECTED. */
export async function privilegeTable(run: ProbeRunner): Promise<Record<string, Record<Role, Outcome>>> {
  const table: Record<string, Record<Role, Outcome>> = {};
  for (const probe of PROBES) {
    const statements = [...(probe.asUser ? [`SELECT set_config('app.user_id', '${probe.asUser}', true)`] : []), ...probe.statements];
    const row = {} as Record<Role, Outcome>;
    for (const role of ["owner", "web", "api"] as const) row[role] = outcomeOf(await run(role, statements), probe.name);
    table[probe.name] = row;
  }
  return table;
}

/** A ProbeRunner over node-postgres, one connection per role (verified TLS), for native clusters. */
export async function clientRunner(urls: Record<Role, string>): Promise<{ run: ProbeRunner; close(): Promise<void> }> {
  const clients = {} as Record<Role, Client>;
  for (const role of ["owner", "api", "web"] as const) {
    clients[role] = new Client({ connectionString: verifiedUrl(urls[role]), connectionTimeoutMillis: 5000 });
    await clients[role].connect();
  }
  const run: ProbeRunner = async (role, statements) => {
    const client = clients[role];
    await client.query("BEGIN");
    try {
      let n = 0;
      for (const statement of statements) n = Number((await client.query<{ n?: unknown }>(statement)).rows[0]?.n ?? 0);
      return { n };
    } catch (error) {
      const { code, message } = error as { code?: string; message: string };
      return { code: code ?? "unknown", message };
    } finally {
      await client.query("ROLLBACK");
    }
  };
  return {
    run,
    close: async () => {
      await Promise.all(Object.values(clients).map((c) => c.end()));
    },
  };
}

/**
 * The rows the probes look for, written as the owner: users A and B, each with a task, A with a
 * password account and a session, a verification row, a jwks key and a rate-limit counter.
 */
export function fixtureStatements(): string[] {
  const user = (id: string) =>
    `INSERT INTO "user" (id, name, email, "emailVerified", "updatedAt") VALUES ('${id}', '${id}', '${id}@example.test', true, now())`;
  const task = (id: string) =>
    `BEGIN; SELECT set_config('app.user_id', '${id}', true); INSERT INTO task (id, "userId", title, "updatedAt") VALUES ('task-${id}', '${id}', 'probe', now()); COMMIT`;
  return [
    user(USER_A),
    user(USER_B),
    task(USER_A),
    task(USER_B),
    `INSERT INTO account (id, "accountId", "providerId", "userId", password, "updatedAt") VALUES ('acc-a', '${USER_A}', 'credential', '${USER_A}', 'scrypt-hash', now())`,
    `INSERT INTO "session" (id, "expiresAt", token, "updatedAt", "userId") VALUES ('sess-a', now() + interval '1 day', 'bearer-secret', now(), '${USER_A}')`,
    `INSERT INTO verification (id, identifier, value, "expiresAt") VALUES ('ver-a', 'email', 'verification-secret', now() + interval '1 day')`,
    `INSERT INTO jwks (id, "publicKey", "privateKey", "createdAt") VALUES ('key-a', 'public', 'private', now())`,
    `INSERT INTO rate_limit (id, key, count, "lastRequest") VALUES ('rl-a', '127.0.0.1|/sign-in', 1, 0)`,
    `INSERT INTO sign_in_failure (email, failures, "lastFailureAt") VALUES ('${USER_A}@example.test', 1, now())`,
  ];
}
