// Creates or updates the services' roles on every run, as the owner, in one transaction: each
// exists, logs in with the password its URL carries (sent as a SCRAM verifier, never in clear),
// holds no attribute beyond LOGIN, owns nothing, is a member of no role, has its server-side
// timeouts, and has exactly the privileges of grants.ts (all others on the schema's tables and
// sequences revoked). Nothing here is in a migration file: the names and passwords come from the
// environment of each deployment.
import { type Client, escapeIdentifier, escapeLiteral } from "pg";
import { ExitCode, MigratorError } from "../exit-codes";
import type { Logger } from "../log";
import { GRANTS, ROLE_SETTINGS, type Service } from "./grants";
import { scramVerifier } from "./scram";

export interface ServiceRole {
  service: Service;
  /** The variable the role's name and password came from, for messages. */
  variable: string;
  name: string;
  password: string;
}

/** Serialises concurrent migrators (two stacks starting at once) on the same database. */
const LOCK_KEY = 0x61757468; // "auth"

interface RoleRow {
  oid: number;
  rolsuper: boolean;
  rolbypassrls: boolean;
  rolreplication: boolean;
}

export async function provisionRoles(client: Client, roles: readonly ServiceRole[], log: Logger): Promise<void> {
  if (roles.length === 0) return;
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY]);
    for (const role of roles) await provisionRole(client, role);
    // Temporary tables are objects too: only the owner may create them.
    await client.query(`DO $$ BEGIN EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database()); END $$`);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    if (error instanceof MigratorError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new MigratorError(
      `could not create or update the service roles (the owner needs CREATEROLE, docs/CONFIGURATION.md): ${message}`,
      ExitCode.failed,
    );
  }
  log.info(
    `roles: ${roles.map((r) => `${r.name} (${r.service}, ${r.variable})`).join(", ")} created or updated; privileges as migrator/src/roles/grants.ts`,
  );
}

async function provisionRole(client: Client, role: ServiceRole): Promise<void> {
  const name = escapeIdentifier(role.name);
  const refuse = (why: string): never => {
    throw new MigratorError(
      `${role.variable} names the role ${role.name}, which ${why}; refusing to use it for the ${role.service}`,
      ExitCode.config,
    );
  };
  const password = escapeLiteral(scramVerifier(role.password));
  const attributes = `LOGIN NOINHERIT NOCREATEDB NOCREATEROLE PASSWORD ${password}`;
  const found = await roleRow(client, role.name);
  if (found) {
    if (found.rolsuper) refuse("is a superuser");
    if (found.rolbypassrls) refuse("has BYPASSRLS");
    if (found.rolreplication) refuse("has REPLICATION");
    await client.query(`ALTER ROLE ${name} WITH ${attributes}`);
  } else {
    await client.query(`CREATE ROLE ${name} WITH ${attributes}`);
  }
  const oid = (await roleRow(client, role.name))?.oid;
  const { rows: memberOf } = await client.query<{ rolname: string }>(
    "SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid WHERE m.member = $1",
    [oid],
  );
  if (memberOf.length > 0) refuse(`is a member of ${memberOf.map((r) => r.rolname).join(", ")} (REVOKE that membership first)`);
  const { rows: owned } = await client.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM pg_class WHERE relowner = $1) + (SELECT count(*) FROM pg_proc WHERE proowner = $1)
          + (SELECT count(*) FROM pg_namespace WHERE nspowner = $1) AS n`,
    [oid],
  );
  if (Number(owned[0]?.n ?? 0) > 0) refuse("owns objects in this database (REASSIGN OWNED BY it to the owner first)");
  for (const [setting, value] of Object.entries(ROLE_SETTINGS)) {
    await client.query(`ALTER ROLE ${name} SET ${setting} = ${escapeLiteral(value)}`);
  }
  await client.query(`GRANT USAGE ON SCHEMA public TO ${name}`);
  await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${name}`);
  await client.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${name}`);
  for (const grant of GRANTS[role.service]) {
    const columns = grant.columns ? ` (${grant.columns.map(escapeIdentifier).join(", ")})` : "";
    const privileges = grant.privileges.map((privilege) => `${privilege}${columns}`).join(", ");
    await client.query(`GRANT ${privileges} ON TABLE ${escapeIdentifier(grant.table)} TO ${name}`);
  }
}

async function roleRow(client: Client, name: string): Promise<RoleRow | undefined> {
  const { rows } = await client.query<RoleRow>("SELECT oid, rolsuper, rolbypassrls, rolreplication FROM pg_roles WHERE rolname = $1", [name]);
  return rows[0];
}

/** Whether the role the migrator is connected as is a superuser (it should be the database's owner only). */
export async function connectedAsSuperuser(client: Client): Promise<boolean> {
  const { rows } = await client.query<{ rolsuper: boolean }>("SELECT rolsuper FROM pg_roles WHERE rolname = current_user");
  return rows[0]?.rolsuper === true;
}
