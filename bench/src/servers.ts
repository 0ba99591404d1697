// The bench's own servers, each its own process so its CPU and memory are measured apart: the
// floor (floorServer.ts), the Express reference (expressServer.ts) and the layered api
// (layeredApi.ts). Each gets the api's environment (apiEnv: the same variables, pool size, heap
// settings) and builds the api's runtime through its public library.
import path from "node:path";
import { freePort, repoRoot } from "@authbridge/testing/pg";
import { waitFor } from "@authbridge/testing/processes";
import { type ApiEnv, type ApiProcess, apiEnv, startServer } from "./apiProcess";

export type Reference = "floor" | "express" | "layered";

const ENTRY: Record<Reference, { file: string; label: string }> = {
  floor: { file: "floorServer.ts", label: "the floor server" },
  express: { file: "expressServer.ts", label: "the Express reference" },
  layered: { file: "layeredApi.ts", label: "the layered api" },
};

/** A started reference; `statsOrigin` only for the layered api (its layer totals). */
export type ReferenceProcess = ApiProcess & { statsOrigin?: string };

export async function startReference(kind: Reference, env: Omit<ApiEnv, "port" | "operatorPort">): Promise<ReferenceProcess> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const statsPort = kind === "layered" ? await freePort() : undefined;
  const server = await startServer({
    label: ENTRY[kind].label,
    args: ["-r", path.join(repoRoot, "bench", "register.js"), path.join(repoRoot, "bench", "src", ENTRY[kind].file)],
    cwd: repoRoot,
    origin,
    env: { ...apiEnv({ ...env, port }, origin), ...(statsPort ? { LAYERS_PORT: String(statsPort) } : {}) },
  });
  if (!statsPort) return server;
  const statsOrigin = `http://127.0.0.1:${statsPort}`;
  // The app's /healthz answers before the listener listens; the bench measures with it listening.
  const listening = async () => {
    const res = await fetch(statsOrigin).catch(() => null);
    await res?.arrayBuffer();
    return res?.status === 200;
  };
  await waitFor(listening, {
    timeoutMs: 20_000,
    intervalMs: 50,
    what: "the layered api's session listener",
  });
  return { ...server, statsOrigin };
}
