// Least privilege in the database itself, on a real TLS cluster migrated by the real migrator: each
// service's own credentials (the roles the migrator created from API_DATABASE_URL and
// WEB_DATABASE_URL) against the owner's, every probe in a rolled-back transaction
// (packages/testing/privileges.ts). The owner's column shows each probe can succeed.
import { Client } from "pg";
import { runMigrator } from "@authbridge/testing/migrator";
import { type Cluster, startCluster } from "@authbridge/testing/pg";
import { EXPECTED, clientRunner, fixtureStatements, privilegeTable } from "@authbridge/testing/privileges";
import { API_ROLE, WEB_ROLE, type ServiceUrls, asRole, roleEnv, serviceUrls } from "@authbridge/testing/roles";
import { sql, verifiedUrl } from "@authbridge/testing/sql";

let cluster: Cluster;
let roles: ServiceUrls;

async function migrateWith(urls: ServiceUrls) {
  const run = await runMigrator({ DATABASE_URL: cluster.url, ...roleEnv(urls), LOG_LEVEL: "info", MIGRATE_WAIT_SECONDS: "10" });
  if (run.code !== 0) throw new Error(`migrator exited ${run.code}:\n${run.program.output()}`);
  return run;
}

async function canConnect(url: string): Promise<boolean> {
  const client = new Client({ connectionString: verifiedUrl(url), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

beforeAll(async () => {
  cluster = await startCluster();
  roles = serviceUrls(cluster.url);
  await migrateWith(roles);
  for (const statement of fixtureStatements()) await sql(cluster.url, statement);
});
afterAll(async () => {
  await cluster?.destroy();
});

test("each service's credentials: every probe refused or empty unless that service needs it; the owner's succeed", async () => {
  const runner = await clientRunner({ owner: cluster.url, api: roles.api, web: roles.web });
  try {
    expect(await privilegeTable(runner.run)).toEqual(EXPECTED);
  } finally {
    await runner.close();
  }
});

test("neither service role is a superuser, BYPASSRLS, CREATEROLE, CREATEDB, a member of a role or an owner; each has server-side timeouts", async () => {
  const rows = await sql(
    cluster.url,
    `SELECT rolname, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolreplication, rolinherit, rolconfig,
            (SELECT count(*)::int FROM pg_auth_members WHERE member = r.oid) AS memberships,
            (SELECT count(*)::int FROM pg_class WHERE relowner = r.oid) + (SELECT count(*)::int FROM pg_proc WHERE proowner = r.oid) AS owned
       FROM pg_roles r WHERE rolname = ANY($1) ORDER BY rolname`,
    [[API_ROLE, WEB_ROLE]],
  );
  expect(rows).toEqual(
    [API_ROLE, WEB_ROLE].map((rolname) => ({
      rolname,
      rolsuper: false,
      rolbypassrls: false,
      rolcreaterole: false,
      rolcreatedb: false,
      rolreplication: false,
      rolinherit: false,
      rolconfig: ["statement_timeout=10s", "idle_in_transaction_session_timeout=15s"],
      memberships: 0,
      owned: 0,
    })),
  );
  // The owner (the migrator's role) is no superuser either; only the bootstrap `postgres` is.
  expect(await sql(cluster.url, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).toEqual([{ rolsuper: false }]);
});

test("CREATE on schema public is PUBLIC's no more; the revocation trigger's function and its table belong to the owner", async () => {
  const [acl] = await sql<{ public_create: boolean; owner_create: boolean }>(
    cluster.url,
    `SELECT has_schema_privilege('public', 'public', 'CREATE') AS public_create, has_schema_privilege(current_user, 'public', 'CREATE') AS owner_create`,
  );
  expect(acl).toEqual({ public_create: false, owner_create: true });
  const owners = await sql(
    cluster.url,
    `SELECT (SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE proname = 'authbridge_notify_session_ended') AS function_owner,
            (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'session' AND relkind = 'r') AS table_owner,
            (SELECT count(*)::int FROM pg_trigger WHERE tgrelid = '"session"'::regclass AND NOT tgisinternal AND tgenabled = 'O') AS triggers_on,
            current_user AS owner`,
  );
  expect(owners).toEqual([{ function_owner: "authbridge", table_owner: "authbridge", triggers_on: 2, owner: "authbridge" }]);
});

test("row-level security on task is enabled and forced, with a policy for each of select, insert, update and delete", async () => {
  expect(await sql(cluster.url, `SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'task'`)).toEqual([
    { relrowsecurity: true, relforcerowsecurity: true },
  ]);
  const policies = await sql<{ cmd: string; qual: string | null; with_check: string | null }>(
    cluster.url,
    `SELECT cmd, qual, with_check FROM pg_policies WHERE tablename = 'task' ORDER BY cmd`,
  );
  expect(policies.map((p) => p.cmd)).toEqual(["DELETE", "INSERT", "SELECT", "UPDATE"]);
  // Each keyed on the request's user, the call in a subselect (one InitPlan per statement).
  for (const p of policies)
    for (const rule of [p.qual, p.with_check]) if (rule) expect(rule).toContain(`( SELECT current_setting('app.user_id'::text, true)`);
});

test("the api's role LISTENs, and hears a session the web's role ends (the trigger runs as the owner defined it)", async () => {
  await sql(
    cluster.url,
    `INSERT INTO "session" (id, "expiresAt", token, "updatedAt", "userId") VALUES ('sess-heard', now() + interval '1 day', 'another-secret', now(), 'privilege-user-a')`,
  );
  const listener = new Client({ connectionString: verifiedUrl(roles.api) });
  await listener.connect();
  try {
    const heard = new Promise<string | undefined>((resolve) => listener.on("notification", (n) => resolve(n.payload)));
    await listener.query("LISTEN authbridge_session_ended");
    await sql(roles.web, `DELETE FROM "session" WHERE id = 'sess-heard'`);
    expect(await heard).toBe("sess-heard");
  } finally {
    await listener.end();
  }
});

test("every run brings the roles back to exactly grants.ts and to the passwords of the URLs, which never reach its output", async () => {
  // Something granted by hand, and a role changed by hand, are undone by the next run.
  await sql(cluster.url, `GRANT SELECT ON account TO ${API_ROLE}`);
  await sql(cluster.url, `ALTER ROLE ${WEB_ROLE} CREATEDB`);
  const fresh = serviceUrls(cluster.url);
  const run = await migrateWith(fresh);
  const output = run.program.output();
  for (const url of [fresh.api, fresh.web, roles.api, roles.web]) expect(output).not.toContain(new URL(url).password);
  expect(output).toMatch(/roles: authbridge_api \(api, API_DATABASE_URL\), authbridge_web \(web, WEB_DATABASE_URL\) created or updated/);
  expect(await canConnect(roles.api)).toBe(false);
  expect(await canConnect(fresh.api)).toBe(true);
  expect(await canConnect(fresh.web)).toBe(true);
  expect(await sql(cluster.url, `SELECT has_table_privilege('${API_ROLE}', 'account', 'SELECT') AS granted`)).toEqual([{ granted: false }]);
  expect(await sql(cluster.url, `SELECT rolcreatedb FROM pg_roles WHERE rolname = '${WEB_ROLE}'`)).toEqual([{ rolcreatedb: false }]);
  roles = fresh;
});

test("a service URL naming the owner's role, or both naming one role, is refused (exit 2, the variable named) before anything changes", async () => {
  const owner = await runMigrator({
    DATABASE_URL: cluster.url,
    API_DATABASE_URL: asRole(cluster.url, "authbridge", "0123456789abcdef0123"),
    WEB_DATABASE_URL: roles.web,
  });
  expect(owner.code).toBe(2);
  expect(owner.program.output()).toMatch(/API_DATABASE_URL names the owner's role/);
  const same = await runMigrator({ DATABASE_URL: cluster.url, API_DATABASE_URL: roles.web, WEB_DATABASE_URL: roles.web });
  expect(same.code).toBe(2);
  expect(same.program.output()).toMatch(/API_DATABASE_URL and WEB_DATABASE_URL name the same role/);
  expect(same.program.output()).not.toContain(new URL(roles.web).password);
});
