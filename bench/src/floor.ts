// Starts the floor server (floorServer.ts) as its own process, so its CPU is measured apart.
import path from "node:path";
import { repoRoot } from "@authbridge/testing/pg";
import { type ApiProcess, startServer } from "./apiProcess";

export interface FloorEnv {
  secret: string;
  issuer: string;
  port: number;
  databaseUrl: string;
  /** The api's per-worker pool size, so both servers have as many connections. */
  poolMax: number;
}

export function startFloor(env: FloorEnv): Promise<ApiProcess> {
  const origin = `http://127.0.0.1:${env.port}`;
  return startServer({
    label: "the floor server",
    args: ["-r", path.join(repoRoot, "bench", "register.js"), path.join(repoRoot, "bench", "src", "floorServer.ts")],
    cwd: repoRoot,
    origin,
    env: {
      NODE_ENV: "production",
      FLOOR_SECRET: env.secret,
      FLOOR_ISSUER: env.issuer,
      FLOOR_AUDIENCE: origin,
      FLOOR_PORT: String(env.port),
      FLOOR_DATABASE_URL: env.databaseUrl,
      FLOOR_POOL_MAX: String(env.poolMax),
    },
  });
}
