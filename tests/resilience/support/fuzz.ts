// fast-check settings shared by the property tests: a fixed seed in CI (reproducible), a fresh
// one elsewhere, always printed with the number of runs so any failure can be replayed.
import fc from "fast-check";
import { record } from "./record";

const CI_SEED = 20261123;

/**
 * Runs the property, prints and records the runs done, the seed and whether it failed (also when
 * it did), then fails the test with fast-check's own report (counterexample, shrunk) if it did.
 */
export async function runProperty<T>(name: string, property: fc.IAsyncProperty<T>, numRuns: number): Promise<{ runs: number; seed: number }> {
  const seed = process.env.CI === "true" ? CI_SEED : Math.floor(Math.random() * 2 ** 31);
  const started = Date.now();
  const details = await fc.check(property, { numRuns, seed });
  const runs = details.numRuns;
  console.log(`${name}: ${runs} runs, seed ${seed}${details.failed ? ", FAILED" : ""} (CI=true replays seed ${CI_SEED}), ${Date.now() - started} ms`);
  record({ inputs: runs, failures: details.failed ? 1 : 0 }, { seed });
  const report = await fc.asyncDefaultReportMessage(details);
  if (report) throw new Error(report);
  return { runs, seed };
}
