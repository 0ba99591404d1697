// Shared by the api suites: the contract's test vector, tokens, test users and their sessions,
// captured logs. Database faults come from the test kit (@authbridge/testing/faults).
import type { components } from "@authbridge/api-types";
import { createLogger } from "@authbridge/service-kit";
import { TEST_VECTOR, contractClaims, mint, signToken } from "@authbridge/testing/tokens";
import { Writable } from "node:stream";
import type { Logger } from "pino";
import { insertUser } from "@authbridge/testing/sql";
import { type Config, loadConfig } from "../src/config";
import type { Runtime } from "../src/runtime";

export const { secret: VECTOR_SECRET, keyHex: VECTOR_KEY_HEX, fingerprint: VECTOR_FINGERPRINT } = TEST_VECTOR;
export const WEB_ORIGIN = "http://localhost:3000";
export const API_ORIGIN = "http://localhost:8000";

/** A config through the real validation; the database URL defaults to a port nothing listens on. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    BETTER_AUTH_SECRET: VECTOR_SECRET,
    BETTER_AUTH_URL: `${WEB_ORIGIN}/`,
    API_URL: API_ORIGIN,
    API_DATABASE_URL: "postgresql://authbridge:x@127.0.0.1:9/authbridge?sslmode=require",
    DB_CONNECT_TIMEOUT_MS: "1000",
    DB_QUERY_TIMEOUT_MS: "1000",
    HEALTHZ_TIMEOUT_MS: "1500",
    LOG_LEVEL: "debug",
    API_WORKERS: "1",
    ...overrides,
  });
}

/** Resolves once the runtime's session listener listens (its first echo heard): polled, no fixed sleep. */
export async function listening(runtime: Runtime, limitMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!runtime.deps.listener().listening) {
    if (Date.now() - started > limitMs) throw new Error(`the session listener did not listen within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
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

/** The api's JSON bodies as the tests read them (supertest types `body` as any): the types generated from api/openapi.json. */
export type ErrorBody = components["schemas"]["Error"];
export type TaskJson = components["schemas"]["Task"];
export type SingleTask = components["schemas"]["SingleTask"];
export type TaskPage = components["schemas"]["TaskPage"];
export type HealthBody = components["schemas"]["Health"];
