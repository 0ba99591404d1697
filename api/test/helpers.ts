// Shared by the api suites: the contract's test vector, token minting, test users and their
// sessions, captured logs, and ways to break the database connection.
import { spawnSync } from "node:child_process";
import { createLogger } from "@authbridge/service-kit";
import { TEST_VECTOR, contractClaims, mint, signToken } from "@authbridge/testing/contract";
import { type Socket, connect, createServer } from "node:net";
import { Writable } from "node:stream";
import type { Logger } from "pino";
import { insertUser } from "@authbridge/testing/sql";
import { type Config, loadConfig } from "../src/config";

export const { secret: VECTOR_SECRET, keyHex: VECTOR_KEY_HEX, fingerprint: VECTOR_FINGERPRINT } = TEST_VECTOR;
export const WEB_ORIGIN = "http://localhost:3000";
export const API_ORIGIN = "http://localhost:8000";

/** A config through the real validation; the database URL defaults to a port nothing listens on. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    BETTER_AUTH_SECRET: VECTOR_SECRET,
    BETTER_AUTH_URL: `${WEB_ORIGIN}/`,
    API_URL: API_ORIGIN,
    DATABASE_URL: "postgresql://authbridge:x@127.0.0.1:9/authbridge?sslmode=require",
    DB_CONNECT_TIMEOUT_MS: "1000",
    DB_QUERY_TIMEOUT_MS: "1000",
    HEALTHZ_TIMEOUT_MS: "1500",
    LOG_LEVEL: "debug",
    API_WORKERS: "1",
    ...overrides,
  });
}

/** A logger that keeps every line, to prove what never reaches the logs. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  return { logger: createLogger("api", "debug", sink), lines };
}

/** The session row insertUsers gives each user, and the `sid` tokenFor puts in that user's tokens. */
export const sessionOf = (userId: string) => `session-${userId}`;

const PARTIES = { issuer: WEB_ORIGIN, audience: API_ORIGIN };
const holderOf = (sub: string) => ({ id: sub, sessionId: sessionOf(sub) });

export function claimsFor(sub: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...contractClaims(PARTIES, holderOf(sub)), ...extra };
}

/**
 * A token as the web signs it, by the test kit's minter (not the api's code): HS256 with the
 * HKDF-derived key, `kid` naming the secret's version (null: none).
 */
export function tokenFor(sub: string, extra: Record<string, unknown> = {}, secret: string = VECTOR_SECRET, kid: string | null = "1"): string {
  return mint({ ...PARTIES, secret }, holderOf(sub), { claims: extra, header: { kid } });
}

/** A token signed with the contract's known-answer key itself, derived by no code at all. */
export function tokenWithVectorKey(sub: string): string {
  return signToken(claimsFor(sub), Buffer.from(VECTOR_KEY_HEX, "hex")).token;
}

/** Users as Better Auth writes them, each with one live session (id `sessionOf(user)`) for the tokens tokenFor() makes. */
export async function insertUsers(url: string, ids: string[]): Promise<void> {
  for (const id of ids) await insertUser(url, { id, sessionId: sessionOf(id) });
}

/** The api's JSON bodies as the tests read them (supertest types `body` as any). */
export interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
}
export interface TaskJson {
  id: string;
  title: string;
  done: boolean;
  createdAt: string;
  updatedAt: string;
}
export interface HealthBody {
  status: string;
  output?: string;
  checks: Record<string, Record<string, unknown>[]>;
}

/** A database that accepts TCP connections and never answers: the worst kind of outage. */
export async function hangingListener(): Promise<{ port: number; connections(): number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("no port");
  return {
    port: address.port,
    connections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The same URL (credentials, TLS parameters) pointed at another port. */
export function withPort(url: string, port: number): string {
  const u = new URL(url);
  u.port = String(port);
  return u.toString();
}

/**
 * Ends every server connection named `applicationName` and returns only once the server has
 * closed them all, WITHOUT letting this process's event loop run meanwhile (a child process does
 * the work synchronously). The pool then still holds those connections as idle and healthy, their
 * termination notices unread in the socket: exactly what a pool meets when Neon suspends.
 */
export function terminateBackendsUnnoticed(url: string, applicationName: string): number {
  const script = `
    const { Client } = require("pg");
    (async () => {
      const c = new Client({ connectionString: process.env.URL });
      await c.connect();
      const { rows } = await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [process.env.APP]);
      for (const until = Date.now() + 20000; Date.now() < until; await new Promise((r) => setTimeout(r, 20))) {
        const left = await c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1", [process.env.APP]);
        if (left.rows[0].n === 0) break;
      }
      await c.end();
      process.stdout.write(String(rows.length));
    })().catch((e) => { console.error(e.message); process.exit(1); });`;
  const run = spawnSync(process.execPath, ["-e", script], {
    cwd: __dirname,
    env: { ...process.env, URL: url, APP: applicationName, NODE_NO_WARNINGS: "1" },
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`terminating backends failed: ${run.stderr}`);
  return Number(run.stdout);
}

/**
 * A TCP relay in front of PostgreSQL that, once armed, cuts the next connection that sends
 * anything: both sockets destroyed, no word from the server. The client cannot tell whether its
 * statement ran, the case no retry may assume either way.
 */
export async function cuttingRelay(targetPort: number): Promise<{ port: number; armCut(): void; cuts(): number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let armed = false;
  let cuts = 0;
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.on("data", (chunk: Buffer) => {
      if (armed) {
        armed = false;
        cuts++;
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("no port");
  return {
    port: address.port,
    armCut: () => {
      armed = true;
    },
    cuts: () => cuts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
