// The native path: Prisma's own `prisma migrate deploy`, used wherever its schema engine binary
// is installed (the npm postinstall downloads it from Prisma's binary host, when reachable).
import { spawn } from "node:child_process";
import { accessSync, constants, readdirSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { ExitCode, MigratorError } from "../exit-codes";
import type { Logger } from "../log";

/** The folder holding prisma.config.ts (the same one level above src/ and dist/). */
const migratorRoot = path.resolve(__dirname, "..", "..");

export function findSchemaEngine(configured: string): string | undefined {
  if (configured) {
    if (!isExecutable(configured)) throw new MigratorError("PRISMA_SCHEMA_ENGINE_BINARY does not name an executable file", ExitCode.config);
    return configured;
  }
  let enginesDir: string;
  try {
    enginesDir = path.dirname(require.resolve("@prisma/engines/package.json"));
  } catch {
    return undefined;
  }
  const binary = readdirSync(enginesDir).find((file) => file.startsWith("schema-engine-"));
  return binary && isExecutable(path.join(enginesDir, binary)) ? path.join(enginesDir, binary) : undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The migration URL as Prisma's native engine must get it to verify the server as strictly as the
 * built-in runner does. Its `sslmode=require` alone encrypts but accepts any certificate;
 * `sslaccept=strict` makes it verify the chain and the host name, against the CA file named by
 * `sslcert` (its name for libpq's sslrootcert), or the system's store when there is none (Neon).
 */
export function engineUrl(url: URL): string {
  const strict = new URL(url.href);
  const rootCert = strict.searchParams.get("sslrootcert");
  strict.searchParams.delete("sslrootcert");
  strict.searchParams.delete("sslcert");
  strict.searchParams.set("sslaccept", "strict");
  if (rootCert) strict.searchParams.set("sslcert", rootCert);
  return strict.href;
}

/**
 * Runs `prisma migrate deploy` on `url` (handed to prisma.config.ts as DIRECT_URL, made strict by
 * engineUrl). Each line it prints becomes a line of the redacting log: stdout as info, stderr as
 * warn (its stream already).
 */
export function prismaMigrateDeploy(url: URL, log: Logger): Promise<number> {
  const cli = path.join(path.dirname(require.resolve("prisma/package.json")), "build", "index.js");
  const child = spawn(process.execPath, [cli, "migrate", "deploy"], {
    cwd: migratorRoot,
    env: { ...process.env, DIRECT_URL: engineUrl(url) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  createInterface({ input: child.stdout }).on("line", (line) => log.info(`prisma: ${line}`));
  createInterface({ input: child.stderr }).on("line", (line) => log.warn(`prisma: ${line}`));
  return new Promise((resolve) => {
    child.on("error", (error) => {
      log.error(`could not start prisma: ${error.message}`);
      resolve(1);
    });
    child.on("close", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
