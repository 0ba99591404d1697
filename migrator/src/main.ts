// The migrator: validate the environment, wait for the database to accept TLS, then apply the
// committed migrations with Prisma's `migrate deploy` when its native engine is installed, or
// with the built-in Prisma-compatible runner when it is not; then create or update the services'
// roles and their privileges (roles/). Exit statuses: exit-codes.ts.
import { loadConfig } from "./config";
import { clientConfig, describeServer } from "./db/connection";
import { connectWithTls } from "./db/wait";
import { findSchemaEngine, prismaMigrateDeploy } from "./engine/native";
import { ExitCode, MigratorError } from "./exit-codes";
import { createLogger, urlSecrets, type Logger } from "./log";
import { applyMigrations } from "./runner/apply";
import { connectedAsSuperuser, provisionRoles } from "./roles/provision";
import { readMigrations } from "./runner/migrations";

const minLockTimeoutMs = 10_000;

async function main(): Promise<number> {
  let log: Logger = createLogger("info");
  try {
    const config = loadConfig();
    log = createLogger(config.logLevel, [...urlSecrets(config.url), ...config.serviceRoles.map((role) => role.password)]);
    const pg = clientConfig(config.url, config.urlVariable);
    const server = describeServer(config.url);
    const engine = config.runner === "builtin" ? undefined : findSchemaEngine(config.schemaEngineBinary);
    if (config.runner === "prisma" && !engine) {
      throw new MigratorError("MIGRATE_RUNNER is prisma but Prisma's native schema engine is not installed", ExitCode.config);
    }
    const migrations = engine ? [] : readMigrations(config.migrationsDir);
    const started = performance.now();

    const client = await connectWithTls(pg, server, config.waitSeconds, log);
    client.on("error", (error) => log.warn(`database connection error: ${error.message}`));
    log.info(`database at ${server} (${config.urlVariable}) accepted TLS after ${Math.round(performance.now() - started)} ms`);
    if (await connectedAsSuperuser(client)) {
      log.warn(`${config.urlVariable} connects as a superuser: give the migrator the database's owner instead (docs/CONFIGURATION.md)`);
    }

    if (engine) {
      await client.end();
      log.info(`path: native, Prisma's schema engine is installed (${engine}); running prisma migrate deploy`);
      const code = await prismaMigrateDeploy(config.url, log);
      if (code !== ExitCode.ok) return code;
      const again = await connectWithTls(pg, server, config.waitSeconds, log);
      try {
        await provisionRoles(again, config.serviceRoles, log);
      } finally {
        await again.end().catch(() => undefined);
      }
      return ExitCode.ok;
    }
    const why = config.runner === "builtin" ? "chosen by MIGRATE_RUNNER" : "Prisma's native schema engine is not installed";
    log.info(`path: built-in runner, ${why}; applying ${config.migrationsDir} with Prisma-compatible bookkeeping`);
    try {
      const lockTimeoutMs = Math.max(minLockTimeoutMs, config.waitSeconds * 1000);
      const result = await applyMigrations(client, migrations, lockTimeoutMs, log);
      await provisionRoles(client, config.serviceRoles, log);
      log.info(`done in ${Math.round(performance.now() - started)} ms: ${result.applied.length} applied, ${result.alreadyApplied} already applied`);
    } finally {
      await client.end().catch(() => undefined);
    }
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof MigratorError) {
      log.error(error.message);
      return error.exitCode;
    }
    log.error(`unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return ExitCode.failed;
  }
}

void main().then((code) => {
  process.exitCode = code;
});
