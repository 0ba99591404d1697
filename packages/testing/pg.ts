// Throw-away PostgreSQL clusters for the test suites, made by the same script as `make db`
// (scripts/pg-tls.sh) but in a temporary folder on a free port, never the developer's .data/.
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { announceSecret } from "./secrets";

const run = promisify(execFile);
export const repoRoot = path.resolve(__dirname, "..", "..");
const script = path.join(repoRoot, "scripts", "pg-tls.sh");

export interface Cluster {
  /** postgresql:// URL: sslmode=require + the cluster's CA as sslrootcert, or sslmode=disable without TLS. */
  url: string;
  port: number;
  dir: string;
  /** Stops the server, keeping its data (start() brings it back on the same port). */
  pause(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its folder. */
  destroy(): Promise<void>;
  /** SQL as the bootstrap superuser, through the cluster's own socket (what no service can do). */
  superuser(statement: string): Promise<string>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export async function startCluster(options: { ssl?: boolean } = {}): Promise<Cluster> {
  const base = mkdtempSync(path.join(tmpdir(), "authbridge-pg-"));
  chmodSync(base, 0o755); // the server runs as the postgres user when the tests run as root
  const dir = path.join(base, "pg");
  const port = await freePort();
  const args = [script, "start", dir, String(port), ...(options.ssl === false ? ["--no-ssl"] : [])];
  const { stdout } = await run("bash", args);
  const url = stdout.trim();
  const password = decodeURIComponent(new URL(url).password);
  if (password) announceSecret("db-password", password);
  return {
    url,
    port,
    dir,
    pause: async () => {
      await run("bash", [script, "stop", dir]);
    },
    start: async () => {
      await run("bash", args);
    },
    superuser: async (statement) => (await run("bash", [script, "superuser", dir, statement])).stdout,
    destroy: async () => {
      try {
        await run("bash", [script, "stop", dir]);
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    },
  };
}
