// What each service's database role may do: the whole list, applied exactly on every migrator run
// (everything else on the tables is revoked first). A new table or column a service needs is a
// line here, in the same change as its migration.
//
// - web: Better Auth's tables (its models and the rate-limit counters) and the per-account
//   sign-in failure counters (sign_in_failure), nothing of tasks; of jwks only reading and adding keys.
// - api: the tasks (row-level security keeps each request to its user), and of "session" and
//   "user" only the columns it reads: the session registry's lookup (id, userId, expiresAt) and
//   /api/me (id, email, name). Never a password hash, a session token, a verification value, a
//   key of jwks, or a rate-limit row.
export type Service = "api" | "web";

export interface TableGrant {
  table: string;
  privileges: readonly ("SELECT" | "INSERT" | "UPDATE" | "DELETE")[];
  /** Only these columns (column privileges); the whole table when absent. */
  columns?: readonly string[];
}

const READ_WRITE = ["SELECT", "INSERT", "UPDATE", "DELETE"] as const;

export const GRANTS: Record<Service, readonly TableGrant[]> = {
  web: [
    ...["user", "session", "account", "verification", "rate_limit", "sign_in_failure"].map((table) => ({ table, privileges: READ_WRITE })),
    // Better Auth's jwt plugin (EdDSA) reads its keys and adds a new one at each rotation; it never
    // changes or deletes one, so neither may the web's role.
    { table: "jwks", privileges: ["SELECT", "INSERT"] },
  ],
  api: [
    { table: "task", privileges: READ_WRITE },
    { table: "session", privileges: ["SELECT"], columns: ["id", "userId", "expiresAt"] },
    { table: "user", privileges: ["SELECT"], columns: ["id", "email", "name"] },
  ],
};

/**
 * Server-side limits of each role (ALTER ROLE ... SET): a statement or an open transaction that
 * outlives them is ended by PostgreSQL itself, even when the client that started it is gone.
 * Above the services' client-side DB_QUERY_TIMEOUT_MS default (5 s), so the client normally
 * gives up first and the server cleans up after it.
 */
export const ROLE_SETTINGS: Record<string, string> = {
  statement_timeout: "10s",
  idle_in_transaction_session_timeout: "15s",
};
