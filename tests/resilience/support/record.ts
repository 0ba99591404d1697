// What a case reports about itself. The counts end up in summary.json and docs/RESILIENCE.md.
import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { SecretKind } from "@authbridge/testing/secrets";
import { recordsFile, secretsFile } from "./paths";

export interface Counts {
  /** HTTP requests sent to the services. */
  requests?: number;
  /** Faults injected (database stops, hangs, killed connections, signals, kills). */
  faults?: number;
  /** Generated inputs tried (property-based runs). */
  inputs?: number;
  /** Responses or outcomes that broke the case's property. */
  failures?: number;
}

/** Adds to the current test's counts; details (timings, seeds) are merged, last one wins. */
export function record(counts: Counts, details: Record<string, unknown> = {}): void {
  const test = expect.getState().currentTestName ?? "(outside a test)";
  mkdirSync(path.dirname(recordsFile), { recursive: true });
  appendFileSync(recordsFile, `${JSON.stringify({ test, counts, details })}\n`);
}

/** A value that must never appear in any service's log (checked by logs.test.ts). */
export function rememberSecret(kind: SecretKind, value: string): void {
  if (value.length < 8) throw new Error(`refusing to audit a ${kind} shorter than 8 characters: it would match by chance`);
  mkdirSync(path.dirname(secretsFile), { recursive: true, mode: 0o700 });
  appendFileSync(secretsFile, `${JSON.stringify({ kind, value })}\n`, { mode: 0o600 });
}
