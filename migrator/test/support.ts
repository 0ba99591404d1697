// Runs the real, built migrator (dist/main.js) as a child process and gives tests fresh databases.
import { runMigrator as runBuiltMigrator } from "@authbridge/testing/migrator";
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { Client } from "pg";
import type { Cluster } from "@authbridge/testing/pg";
import { clientConfig } from "../src/db/connection";

export const migratorRoot = path.resolve(__dirname, "..");
export const migrationsDir = path.join(migratorRoot, "prisma", "migrations");
/** The committed migrations' names, in the order they apply. */
export const committedMigrations = readdirSync(migrationsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout + stderr as written, for "never in the logs" assertions. */
  output: string;
  /** The log messages (`msg`) each stream carried, one a line; `all` is stdout's then stderr's. */
  messages: { stdout: string; stderr: string; all: string };
  ms: number;
}

/** The fields every service's log line carries (pino: level number, time, service, pid, msg). */
export interface LogRecord {
  level: number;
  time: number;
  service: string;
  pid: number;
  msg: string;
}

const WARN = 40;

/**
 * A stream's lines as log records. Throws on any line that is not one of the migrator's records,
 * or that sits on the wrong stream: debug and info belong on stdout, warn and above on stderr.
 */
export function logRecords(text: string, stream: "stdout" | "stderr"): LogRecord[] {
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      let record: Partial<LogRecord>;
      try {
        record = JSON.parse(line) as Partial<LogRecord>;
      } catch {
        throw new Error(`the migrator wrote a line that is not JSON on ${stream}: ${line}`);
      }
      const { level, time, service, pid, msg } = record;
      const shape =
        typeof level === "number" && typeof time === "number" && service === "migrator" && typeof pid === "number" && typeof msg === "string";
      if (!shape) throw new Error(`the migrator wrote a line without the log fields on ${stream}: ${line}`);
      if ((stream === "stderr") !== level >= WARN) throw new Error(`a level ${level} line on ${stream}: ${line}`);
      return { level, time, service, pid, msg };
    });
}

const messagesOf = (records: LogRecord[]) => records.map((r) => r.msg).join("\n");

/** The migrator with exactly these variables (plus PATH), as a container would start it. */
export async function runMigrator(env: Record<string, string>): Promise<Run> {
  const { code, program, ms } = await runBuiltMigrator(env, { cwd: migratorRoot });
  const [stdout, stderr] = [program.stdout(), program.stderr()];
  const [out, err] = [messagesOf(logRecords(stdout, "stdout")), messagesOf(logRecords(stderr, "stderr"))];
  const messages = { stdout: out, stderr: err, all: [out, err].filter(Boolean).join("\n") };
  return { code, stdout, stderr, output: stdout + stderr, messages, ms };
}

/** The cluster URL with another sslmode (or none, for null). */
export function withSslMode(url: string, mode: string | null): string {
  const next = new URL(url);
  next.searchParams.delete("sslmode");
  if (mode !== null) next.searchParams.set("sslmode", mode);
  return next.href;
}

export function passwordOf(url: string): string {
  return decodeURIComponent(new URL(url).password);
}

let databases = 0;

/** A new, empty database in the cluster, owned by the cluster's user; returns its URL. */
export async function freshDatabase(cluster: Cluster): Promise<string> {
  const name = `t${process.pid}_${++databases}`;
  // Only the postgres superuser may create databases; it connects over the cluster's socket.
  const admin = new Client({ host: path.join(cluster.dir, "run"), port: cluster.port, user: "postgres", database: "postgres" });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} OWNER authbridge`);
  } finally {
    await admin.end();
  }
  const url = new URL(cluster.url);
  url.pathname = `/${name}`;
  return url.href;
}

/** Runs queries as the migrated database's owner, over TLS verified as the migrator verifies it. */
export async function withDatabase<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client(clientConfig(new URL(url), "DATABASE_URL"));
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A self-signed CA certificate (in `dir`) that signed nothing the test clusters serve: a wrong sslrootcert. */
export function otherCaCertificate(dir: string): string {
  const cert = path.join(dir, "other.crt");
  const args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=other", "-days", "1"];
  execFileSync("openssl", [...args, "-keyout", path.join(dir, "other.key"), "-out", cert], { stdio: "ignore" });
  return cert;
}
