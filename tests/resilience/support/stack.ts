// A throw-away TLS PostgreSQL migrated by the real migrator, then the built api and (optionally)
// the built web, on free loopback ports, from one set of variables, the way `make dev` runs them.
import { randomBytes, randomUUID } from "node:crypto";
import { type Cluster, freePort, startCluster } from "../../../testing/pg";
import { sql } from "@authbridge/testing/sql";
import { type Program, assertBuilt, programs, stopAllPrograms, waitForUrl } from "@authbridge/testing/processes";
import { startLogged } from "./processes";
import { rememberSecret } from "./record";
import { type Holder, contractKey } from "@authbridge/testing/contract";
import type { Audience } from "./tokens";

export const CLOCK_TOLERANCE_SECONDS = 5;

export interface Stack extends Audience {
  cluster: Cluster;
  databaseUrl: string;
  apiUrl: string;
  apiPort: number;
  webUrl: string;
  api: Program;
  web?: Program;
  /** The api's environment, for restarting it or starting a second one with changes. */
  apiEnv: Record<string, string>;
  startApi(overrides?: Record<string, string>): Promise<Program>;
  stop(): Promise<void>;
}

/** A user row and one live session row, as Better Auth writes them; whom tokens can be minted for. */
export async function insertUser(url: string, label = "tester"): Promise<Holder> {
  const id = `u-${randomUUID()}`;
  const sessionId = `s-${randomUUID()}`;
  await sql(url, `INSERT INTO "user" (id, name, email) VALUES ($1, $2, $3)`, [id, label, `${id}@example.test`]);
  await sql(
    url,
    `INSERT INTO "session" (id, "expiresAt", token, "updatedAt", "userId") VALUES ($1, (now() AT TIME ZONE 'UTC') + interval '1 day', $2, now(), $3)`,
    [sessionId, randomBytes(24).toString("base64url"), id],
  );
  return { id, sessionId };
}

/** Runs the built migrator to completion; resolves with its exit code. */
export async function runMigrator(env: Record<string, string>): Promise<{ code: number | null; child: Program }> {
  const child = startLogged("migrator", programs.migrator, { LOG_LEVEL: "info", MIGRATE_WAIT_SECONDS: "10", ...env });
  const { code } = await child.exited;
  return { code, child };
}

export function rememberDatabaseUrl(url: string): void {
  const password = new URL(url).password;
  if (password) rememberSecret("db-password", decodeURIComponent(password));
}

export async function startStack(options: { web?: boolean; apiEnv?: Record<string, string>; ttlSeconds?: number } = {}): Promise<Stack> {
  assertBuilt(programs.api, programs.migrator, ...(options.web ? [programs.web] : []));
  let cluster: Cluster | undefined;
  try {
    cluster = await startCluster();
    rememberDatabaseUrl(cluster.url);
    const migrated = await runMigrator({ DATABASE_URL: cluster.url });
    if (migrated.code !== 0) throw new Error(`migrator exited ${migrated.code}:\n${migrated.child.lines.join("\n")}`);

    const [apiPort, webPort] = [await freePort(), await freePort()];
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const webUrl = `http://127.0.0.1:${webPort}`;
    const secret = randomBytes(48).toString("base64");
    rememberSecret("auth-secret", secret);
    const key = contractKey(secret);
    for (const encoding of ["hex", "base64", "base64url"] as const) rememberSecret("token-key", key.toString(encoding));

    const shared = { BETTER_AUTH_SECRET: secret, BETTER_AUTH_URL: webUrl, API_URL: apiUrl, DATABASE_URL: cluster.url };
    const apiEnv = {
      ...shared,
      API_PORT: String(apiPort),
      // One process: the faults and logs these suites check are per process.
      API_WORKERS: "1",
      JWT_CLOCK_TOLERANCE_SECONDS: String(CLOCK_TOLERANCE_SECONDS),
      // debug: the most a service ever logs, so the log audit sees the most.
      LOG_LEVEL: "debug",
      ...options.apiEnv,
    };
    const startApi = async (overrides: Record<string, string> = {}): Promise<Program> => {
      const env = { ...apiEnv, ...overrides };
      const child = startLogged("api", programs.api, env);
      await waitForUrl(child, `http://127.0.0.1:${env.API_PORT}/livez`);
      return child;
    };
    const webChild = options.web
      ? startLogged("web", programs.web, {
          ...shared,
          NODE_ENV: "production",
          PORT: String(webPort),
          HOSTNAME: "127.0.0.1",
          JWT_TTL_SECONDS: String(options.ttlSeconds ?? 900),
          LOG_LEVEL: "debug",
          // The tests stand in for a reverse proxy on loopback: their X-Forwarded-For names the client.
          TRUSTED_PROXIES: "127.0.0.1",
        })
      : undefined;
    const [api] = await Promise.all([startApi(), webChild ? waitForUrl(webChild, `${webUrl}/api/health`) : undefined]);
    const stack: Stack = {
      cluster,
      databaseUrl: cluster.url,
      apiUrl,
      apiPort,
      webUrl,
      api,
      ...(webChild ? { web: webChild } : {}),
      apiEnv,
      secret,
      issuer: new URL(webUrl).origin,
      audience: new URL(apiUrl).origin,
      clockToleranceSeconds: CLOCK_TOLERANCE_SECONDS,
      startApi,
      stop: async () => {
        await stopAllPrograms();
        await cluster?.destroy();
      },
    };
    return stack;
  } catch (error) {
    await stopAllPrograms();
    await cluster?.destroy();
    throw error;
  }
}
