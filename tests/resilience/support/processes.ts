// The built programs as child processes: explicit environment, every line they write kept in
// memory (for assertions) and in test-results/resilience/logs (for the log audit), and stopped
// by the file that started them, also when a test fails.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import { logsDir, repoRoot } from "./paths";

export const programs = {
  api: path.join(repoRoot, "api", "dist", "server.js"),
  web: path.join(repoRoot, "web", ".next", "standalone", "web", "server.js"),
  migrator: path.join(repoRoot, "migrator", "dist", "main.js"),
};

export interface Child {
  name: string;
  process: ChildProcess;
  /** Every line written so far, stdout and stderr interleaved as they arrived. */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  running(): boolean;
}

const started = new Set<Child>();

export function startProgram(name: string, script: string, env: Record<string, string>): Child {
  mkdirSync(logsDir, { recursive: true });
  const child = spawn(process.execPath, [script], {
    cwd: path.dirname(script),
    // Nothing inherited but PATH: the services see exactly what the test gives them.
    env: { PATH: process.env.PATH ?? "", NEXT_TELEMETRY_DISABLED: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const file = createWriteStream(path.join(logsDir, `${name}-${child.pid ?? Date.now()}.log`));
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      file.write(chunk);
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      lines.push(...parts);
    });
    stream.on("end", () => {
      if (partial) lines.push(partial);
      partial = "";
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const handle: Child = { name, process: child, lines, exited, running: () => child.exitCode === null && child.signalCode === null };
  started.add(handle);
  void exited.then(() => {
    started.delete(handle);
    // Let the pipes drain before the file closes.
    setTimeout(() => file.end(), 50);
  });
  return handle;
}

/** SIGTERM, then SIGKILL after graceMs. */
export async function stopProgram(child: Child, graceMs = 5000): Promise<void> {
  if (!child.running()) return;
  child.process.kill("SIGTERM");
  const timer = setTimeout(() => child.process.kill("SIGKILL"), graceMs);
  await child.exited;
  clearTimeout(timer);
}

export async function stopAllPrograms(): Promise<void> {
  await Promise.all([...started].map((child) => stopProgram(child)));
}

export async function waitForUrl(url: string, child: Child, deadlineMs = 30_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (!child.running()) throw new Error(`${child.name} exited before answering ${url}:\n${child.lines.join("\n")}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${child.name} did not answer ${url} within ${deadlineMs} ms:\n${child.lines.join("\n")}`);
}
