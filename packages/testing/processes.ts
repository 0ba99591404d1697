// The built programs as child processes for every suite and the bench: an explicit environment
// (nothing inherited but PATH), every line they write kept in memory for assertions (and in a log
// file when asked), waits that poll with a deadline, and a stop that waits for the exit.
import { type ChildProcess, spawn } from "node:child_process";
import { type WriteStream, createWriteStream, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./pg";

/** The built programs, as `make test` builds them. */
export const programs = {
  api: path.join(repoRoot, "api", "dist", "server.js"),
  web: path.join(repoRoot, "web", ".next", "standalone", "web", "server.js"),
  migrator: path.join(repoRoot, "migrator", "dist", "main.js"),
};

/** A missing build is a broken setup, not a reason to skip: make test builds before it tests. */
export function assertBuilt(...files: string[]): void {
  for (const file of files) {
    if (!existsSync(file))
      throw new Error(`${path.relative(repoRoot, file)} is missing: build first (make test does, or npm run build -w <workspace>)`);
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Program {
  name: string;
  process: ChildProcess;
  /** Every line written so far, stdout and stderr interleaved as they arrived. */
  lines: string[];
  /** Every line written so far, as one text. */
  output(): string;
  /** What it wrote to stdout, and to stderr, exactly (the last newline included). */
  stdout(): string;
  stderr(): string;
  exited: Promise<Exit>;
  running(): boolean;
}

export interface ProgramOptions {
  /** The only variables the program sees, besides PATH and NEXT_TELEMETRY_DISABLED=1. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** A folder to keep the output in as well, as `<name>-<pid>.log`. */
  logDir?: string;
}

const started = new Set<Program>();

/** Splits the stream into `lines`, keeps its exact text in `text`; resolves when the stream ends. */
function keepLines(stream: NodeJS.ReadableStream, lines: string[], text: { value: string }, file: WriteStream | undefined): Promise<void> {
  let partial = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    file?.write(chunk);
    text.value += chunk;
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
  });
  return new Promise((resolve) =>
    stream.on("end", () => {
      if (partial) lines.push(partial);
      partial = "";
      resolve();
    }),
  );
}

// A program's own children may hold its pipes open after it exits: its exit waits this long at
// most for the last of its output.
const DRAIN_MS = 1000;

/** Runs a command; `startProgram` runs a built Node program. */
export function startCommand(name: string, command: string, args: string[], options: ProgramOptions = {}): Program {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", NEXT_TELEMETRY_DISABLED: "1" };
  for (const [key, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[key] = value;
  const child = spawn(command, args, { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let file: WriteStream | undefined;
  if (options.logDir) {
    mkdirSync(options.logDir, { recursive: true });
    file = createWriteStream(path.join(options.logDir, `${name}-${child.pid ?? Date.now()}.log`));
  }
  const lines: string[] = [];
  const [stdout, stderr] = [{ value: "" }, { value: "" }];
  const drained = Promise.all([keepLines(child.stdout, lines, stdout, file), keepLines(child.stderr, lines, stderr, file)]);
  const exited = new Promise<Exit>((resolve) =>
    child.on("exit", (code, signal) => {
      const timer = setTimeout(() => resolve({ code, signal }), DRAIN_MS);
      void drained.then(() => {
        clearTimeout(timer);
        resolve({ code, signal });
      });
    }),
  );
  const program: Program = {
    name,
    process: child,
    lines,
    output: () => lines.join("\n"),
    stdout: () => stdout.value,
    stderr: () => stderr.value,
    exited,
    running: () => child.exitCode === null && child.signalCode === null,
  };
  started.add(program);
  void exited.then(() => {
    started.delete(program);
    file?.end();
  });
  return program;
}

/** `node [nodeArgs] script` from the script's folder. */
export function startProgram(name: string, script: string, options: ProgramOptions & { nodeArgs?: string[] } = {}): Program {
  return startCommand(name, process.execPath, [...(options.nodeArgs ?? []), script], { cwd: path.dirname(script), ...options });
}

/** SIGTERM, then SIGKILL after graceMs; resolves when the program has exited. */
export async function stopProgram(program: Program | undefined, graceMs = 5000): Promise<Exit | undefined> {
  if (!program) return undefined;
  if (program.running()) program.process.kill("SIGTERM");
  const timer = setTimeout(() => program.process.kill("SIGKILL"), graceMs);
  try {
    return await program.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Stops everything this test file started and has not stopped yet. */
export async function stopAllPrograms(): Promise<void> {
  await Promise.all([...started].map((program) => stopProgram(program)));
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** What is awaited, for the error: "api to answer /livez". */
  what: string;
  /** Fails at once, with its output, when this program exits before the wait is over. */
  program?: Program;
}

/** Polls `probe` until it returns something other than undefined, null or false; returns that. */
export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitOptions,
): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 100, what, program } = options;
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (program && !program.running()) throw new Error(`${program.name} exited before ${what}:\n${program.output()}`);
    const result = await probe();
    if (result !== undefined && result !== null && result !== false) return result;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${program ? `:\n${program.output()}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Waits until `url` answers 2xx, failing early if the program exits. */
export async function waitForUrl(program: Program, url: string, timeoutMs = 30_000): Promise<void> {
  // A probe that fails in any way, reading the body included (the 2 s abort can land there on a
  // busy machine), is a "not yet", never the wait's own failure.
  const ok = async () => {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  };
  await waitFor(ok, { timeoutMs, what: `${program.name} to answer ${url}`, program });
}

/** Waits until the program has written a line matching `pattern`; returns that line. */
export function waitForLine(program: Program, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  return waitFor(() => program.lines.find((line) => pattern.test(line)), {
    timeoutMs,
    intervalMs: 25,
    what: `${program.name} to write ${String(pattern)}`,
    program,
  });
}
