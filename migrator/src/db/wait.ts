// Waits until the database accepts a TLS connection. Neon wakes from scale-to-zero in a few
// seconds and a local container may still be starting, so transient failures are retried with
// backoff until the budget is spent; answers that will never change (no TLS, bad certificate,
// wrong password, missing database) fail at once.
import { codeOf, tlsOf } from "@authbridge/postgres";
import { Client, type ClientConfig } from "pg";
import { ExitCode, MigratorError } from "../exit-codes";
import type { Logger } from "../log";

const firstDelayMs = 250;
const maxDelayMs = 5_000;
const maxAttemptMs = 10_000;

/** PostgreSQL SQLSTATE classes worth retrying: connection exceptions, insufficient resources, operator intervention (starting up). */
const transientSqlStateClasses = new Set(["08", "53", "57"]);

export async function connectWithTls(config: ClientConfig, server: string, budgetSeconds: number, log: Logger): Promise<Client> {
  const deadline = Date.now() + budgetSeconds * 1000;
  for (let attempt = 0; ; attempt++) {
    const remaining = deadline - Date.now();
    const client = new Client({ ...config, connectionTimeoutMillis: Math.max(1_000, Math.min(maxAttemptMs, remaining)) });
    try {
      await client.connect();
      if (!tlsOf(client))
        throw new MigratorError(`the database at ${server} accepted a connection without TLS; refusing to migrate over it`, ExitCode.noTls);
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      const permanent = permanentFailure(error, server);
      if (permanent) throw permanent;
      const left = deadline - Date.now();
      const delay = Math.min(maxDelayMs, firstDelayMs * 2 ** attempt, Math.max(0, left));
      if (left <= 0) {
        throw new MigratorError(
          `the database at ${server} did not accept a connection within ${budgetSeconds} s (MIGRATE_WAIT_SECONDS); last error: ${describe(error)}`,
          ExitCode.unreachable,
        );
      }
      log.info(`database at ${server} not reachable yet (${describe(error)}); retrying in ${(delay / 1000).toFixed(1)} s`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function permanentFailure(error: unknown, server: string): MigratorError | undefined {
  if (error instanceof MigratorError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = codeOf(error) ?? "";
  if (/does not support SSL/i.test(message)) {
    return new MigratorError(`the database at ${server} does not accept TLS connections; refusing to migrate over plaintext`, ExitCode.noTls);
  }
  if (code.startsWith("ERR_TLS") || /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code)) {
    return new MigratorError(`the TLS certificate of the database at ${server} did not verify (${code}): ${message}`, ExitCode.noTls);
  }
  if (/^[0-9A-Z]{5}$/.test(code) && !transientSqlStateClasses.has(code.slice(0, 2))) {
    return new MigratorError(`the database at ${server} refused the connection (SQLSTATE ${code}): ${message}`, ExitCode.failed);
  }
  return undefined;
}

function describe(error: unknown): string {
  const code = codeOf(error) ?? "";
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
