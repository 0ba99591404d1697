// Command-line flags of `make bench` / scripts/bench.sh.
import { parseArgs } from "node:util";

export const HTTP_CASES = [
  "baseline",
  "auth-only",
  "auth-only-eddsa",
  "tasks",
  "tasks-rls-off",
  "express",
  "floor",
  "tasks-layers",
  "task-by-id",
  "floor-by-id",
  "task-patch",
  "floor-patch",
  "tasks-large-first",
  "tasks-large-deep",
  "tasks-2-workers",
  "healthz",
] as const;
export type HttpCase = (typeof HTTP_CASES)[number];
export const ALL_CASES = [...HTTP_CASES, "fixed-rate", "verify", "revocation", "round-trips"] as const;
export type CaseName = (typeof ALL_CASES)[number];

export interface Options {
  cases: CaseName[];
  connections: number;
  /** Seconds measured per HTTP case. */
  duration: number;
  /** Seconds of load thrown away before each HTTP case. */
  warmup: number;
  /** Slices each case's duration into this many rounds that alternate with the other cases. */
  rounds: number;
  /** Api processes started (and timed) before the one that takes the load. */
  coldStarts: number;
  /** Seconds per function in the in-process verify case. */
  verifySeconds: number;
  /** Sessions revoked, one after the other, in the revocation case. */
  revocations: number;
  /** Requests per second of the fixed-rate case; null: half what the floor served in the closed-loop case. */
  fixedRate: number | null;
  /** Measured seconds per server in the fixed-rate case. */
  fixedSeconds: number;
  json: string;
  /** Rewrite the results block of docs/BENCHMARKS.md with this run. */
  writeDoc: boolean;
}

export const USAGE = `usage: scripts/bench.sh [flags]   (make bench BENCH_ARGS="flags")
  --cases LIST         comma-separated, from ${ALL_CASES.join(",")} (default: all)
  --connections N      concurrent connections per HTTP case (default 50)
  --duration S         measured seconds per HTTP case (default 15)
  --warmup S           discarded seconds of load before each HTTP case (default 3)
  --rounds N           measure the cases in N interleaved rounds of duration/N s each (default 5)
  --cold-starts N      api start-ups timed, the last one takes the load (default 3)
  --verify-seconds S   seconds per function in the verify case (default 2)
  --revocations N      sessions revoked in the revocation case (default 60)
  --fixed-rate N       req/s of the fixed-rate case (default: half the floor's closed-loop req/s this run)
  --fixed-seconds S    measured seconds per server in the fixed-rate case (default 10)
  --json PATH          results file (default bench/results/latest.json)
  --write-doc          put this run's numbers into docs/BENCHMARKS.md
  --help`;

function positive(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

function caseList(value: string): CaseName[] {
  const names = value
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  const cases = names.map((name) => {
    const found = ALL_CASES.find((c) => c === name);
    if (!found) throw new Error(`--cases: unknown case "${name}" (known: ${ALL_CASES.join(", ")})`);
    return found;
  });
  if (cases.length === 0) throw new Error("--cases is empty");
  return [...new Set(cases)];
}

/** null when --help was asked for. Throws with a one-line message on a bad flag. */
export function parseOptions(args: string[], defaultJson: string): Options | null {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      cases: { type: "string", default: ALL_CASES.join(",") },
      connections: { type: "string", default: "50" },
      duration: { type: "string", default: "15" },
      warmup: { type: "string", default: "3" },
      rounds: { type: "string", default: "5" },
      "cold-starts": { type: "string", default: "3" },
      "verify-seconds": { type: "string", default: "2" },
      revocations: { type: "string", default: "60" },
      "fixed-rate": { type: "string" },
      "fixed-seconds": { type: "string", default: "10" },
      json: { type: "string", default: defaultJson },
      "write-doc": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return null;
  const duration = positive("duration", values.duration, 1, 600);
  const rounds = positive("rounds", values.rounds, 1, 100);
  if (duration / rounds < 1) throw new Error("--duration / --rounds must leave at least 1 s per round");
  return {
    cases: caseList(values.cases),
    connections: positive("connections", values.connections, 1, 1000),
    duration,
    warmup: positive("warmup", values.warmup, 0, 60),
    rounds,
    coldStarts: positive("cold-starts", values["cold-starts"], 1, 20),
    verifySeconds: positive("verify-seconds", values["verify-seconds"], 1, 60),
    revocations: positive("revocations", values.revocations, 1, 10_000),
    fixedRate: values["fixed-rate"] === undefined ? null : positive("fixed-rate", values["fixed-rate"], 1, 100_000),
    fixedSeconds: positive("fixed-seconds", values["fixed-seconds"], 1, 600),
    json: values.json,
    writeDoc: values["write-doc"],
  };
}
