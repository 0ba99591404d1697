// The per-user transaction of every task statement (src/db/asUser.ts) on a real cluster, as the
// api's own role: one round trip on a pipelined connection, and a setting that never outlives its
// transaction, even when the statement in it fails.
import { Client } from "pg";
import { migratedClusterWithRoles } from "@authbridge/testing/migrator";
import type { Cluster } from "@authbridge/testing/pg";
import { sql, sqlAs, verifiedUrl } from "@authbridge/testing/sql";
import { runAsUser } from "../src/db/asUser";
import { INSERT } from "../src/db/tasks";
import { insertUsers } from "./helpers";

let cluster: Cluster;
let apiUrl: string;
let client: Client;

const pidOf = async (c: Client) => Number((await c.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid);
const insert = (userId: string, title: string) => ({ ...INSERT, values: [`t-${userId}-${Math.random()}`, userId, title, 1_000_000] });

beforeAll(async () => {
  ({
    cluster,
    roles: { api: apiUrl },
  } = await migratedClusterWithRoles());
  await insertUsers(cluster.url, ["alice", "bob"]);
  await sqlAs(cluster.url, "alice", `INSERT INTO task (id, "userId", title, "updatedAt") VALUES ('alice-1', 'alice', 'hers', now())`);
  client = new Client({ connectionString: verifiedUrl(apiUrl), pipeline: true });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await cluster?.destroy();
});

test("a statement for a user sees that user's rows, as the api's role", async () => {
  const { rows } = await runAsUser<{ title: string }>(client, "alice", { text: "SELECT title FROM task" });
  expect(rows).toEqual([{ title: "hers" }]);
  expect((await runAsUser(client, "bob", { text: "SELECT title FROM task" })).rows).toEqual([]);
});

test("after an error mid-transaction, the same connection, for another user or none, sees nothing of the first", async () => {
  const pid = await pidOf(client);
  // A blank title breaks the CHECK constraint inside alice's transaction: COMMIT turns into ROLLBACK.
  await expect(runAsUser(client, "alice", insert("alice", " "))).rejects.toMatchObject({ code: "23514" });
  expect(await pidOf(client)).toBe(pid);
  expect((await client.query<{ v: string | null }>("SELECT current_setting('app.user_id', true) AS v")).rows[0]?.v ?? "").toBe("");
  expect((await client.query("SELECT count(*)::int AS n FROM task")).rows).toEqual([{ n: 0 }]);
  expect((await runAsUser(client, "bob", { text: "SELECT title FROM task" })).rows).toEqual([]);
  // And the connection is in no transaction: the next statement is not swallowed by an aborted one.
  expect((await client.query("SELECT 1 AS ok")).rows).toEqual([{ ok: 1 }]);
});

test("a write for another user than the one set is refused by the policy, and nothing is stored", async () => {
  await expect(runAsUser(client, "alice", insert("bob", "not yours"))).rejects.toMatchObject({ code: "42501" });
  expect(await sqlAs(cluster.url, "bob", "SELECT id FROM task")).toEqual([]);
});

test("a failure at COMMIT itself (a deferred constraint) is the caller's error, not a success", async () => {
  await sql(cluster.url, `CREATE TABLE deferred_probe (id int PRIMARY KEY, parent int REFERENCES deferred_probe (id) DEFERRABLE INITIALLY DEFERRED)`);
  await sql(cluster.url, `GRANT INSERT ON deferred_probe TO authbridge_api`);
  await expect(runAsUser(client, "alice", { text: "INSERT INTO deferred_probe VALUES (1, 2)" })).rejects.toMatchObject({ code: "23503" });
  expect(await sql(cluster.url, "SELECT id FROM deferred_probe")).toEqual([]);
});
