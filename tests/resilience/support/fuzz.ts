// fast-check settings shared by the property tests: a fixed seed in CI (reproducible), a fresh
// one elsewhere, always printed with the number of runs so any failure can be replayed.
import fc from "fast-check";

const CI_SEED = 20261123;

export function fuzzParameters(numRuns: number): { numRuns: number; seed: number } {
  const seed = process.env.CI === "true" ? CI_SEED : Math.floor(Math.random() * 2 ** 31);
  return { numRuns, seed };
}

/** Runs the property, prints runs and seed (also on failure), and returns them for the record. */
export async function runProperty<T>(name: string, property: fc.IAsyncProperty<T>, numRuns: number): Promise<{ runs: number; seed: number }> {
  const parameters = fuzzParameters(numRuns);
  const started = Date.now();
  try {
    await fc.assert(property, parameters);
  } finally {
    console.log(`${name}: ${parameters.numRuns} runs, seed ${parameters.seed} (replay: CI=true uses ${CI_SEED}), ${Date.now() - started} ms`);
  }
  return { runs: parameters.numRuns, seed: parameters.seed };
}
