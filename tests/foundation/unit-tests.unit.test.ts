/**
 * `make test-fast` runs every `*.unit.test.ts` with no database, browser or build behind it. A unit
 * test that reaches for one of those would make the fast loop slow or fail, so none may import the
 * kit's modules that start them, or spawn a program.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";

const repoRoot = path.resolve(__dirname, "..", "..");
const HEAVY_KIT = ["pg", "stack", "migrator", "browser", "processes", "faults", "sql"];
const SKIPPED = new Set(["node_modules", ".git", ".next", "dist", ".data", "test-results"]);

function unitTestsUnder(folder: string): string[] {
  return readdirSync(path.join(repoRoot, folder), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(folder, entry.name);
    if (entry.isDirectory()) return SKIPPED.has(entry.name) ? [] : unitTestsUnder(relative);
    return entry.name.endsWith(".unit.test.ts") ? [relative] : [];
  });
}
const unitTests = unitTestsUnder("").sort();

/** What a file imports or requires, as written. */
function importsOf(text: string): string[] {
  return [...text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)["']([^"']+)["']/g)].map((match) => match[1] ?? "");
}

/** Why a test that imports `specifier` cannot be a unit test, or null. */
function heavyImport(specifier: string): string | null {
  if (specifier === "node:child_process" || specifier === "child_process") return "spawns programs";
  const kit = /(?:@authbridge\/testing|packages\/testing)\/([a-z]+)$/.exec(specifier);
  if (kit?.[1] && HEAVY_KIT.includes(kit[1])) return `imports the kit's ${kit[1]} module`;
  return null;
}

test("there are unit tests in every layer the fast loop covers", () => {
  for (const folder of ["api/", "web/", "packages/", "tests/"]) {
    expect(unitTests.filter((file) => file.startsWith(folder)).length).toBeGreaterThan(0);
  }
});

test.each(unitTests)("%s needs no database, browser or built program", (file) => {
  const problems = importsOf(readFileSync(path.join(repoRoot, file), "utf8"))
    .map((specifier) => heavyImport(specifier))
    .filter((why): why is string => why !== null);
  expect(problems).toEqual([]);
});

test("the check itself refuses a test that starts a cluster or spawns a program", () => {
  expect(heavyImport("@authbridge/testing/pg")).toMatch(/pg module/);
  expect(heavyImport("../../packages/testing/stack")).toMatch(/stack module/);
  expect(heavyImport("node:child_process")).toMatch(/spawns/);
  expect(heavyImport("@authbridge/testing/tokens")).toBeNull();
});
