/**
 * The docs' tables that the code can speak for are checked against their one source, so a target,
 * a variable or a link that changes on one side fails here instead of drifting.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { tableRows } from "@authbridge/testing/markdown";

const repoRoot = path.resolve(__dirname, "..", "..");
const read = (file: string) => readFileSync(path.join(repoRoot, file), "utf8");

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

test("README's make targets table lists exactly the Makefile's documented targets", () => {
  const makefile = sorted([...read("Makefile").matchAll(/^([a-z][a-z-]*):.*## /gm)].map((match) => match[1] ?? ""));
  const readme = sorted(
    tableRows(read("README.md"), "target").flatMap(([cell = ""]) => [...cell.matchAll(/`make ([a-z-]+)/g)].map((match) => match[1] ?? "")),
  );
  expect(makefile.length).toBeGreaterThan(10);
  expect(readme).toEqual(makefile);
});

test("docs/CONFIGURATION.md's table names exactly the variables of .env.example", () => {
  // Commented-out lines (`# MIGRATE_RUNNER=auto`) are variables a user may set too.
  const example = sorted([...read(".env.example").matchAll(/^(?:# ?)?([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1] ?? ""));
  const documented = sorted(
    tableRows(read("docs/CONFIGURATION.md"), "variable").flatMap(([cell = ""]) =>
      [...cell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1] ?? ""),
    ),
  );
  expect(example.length).toBeGreaterThan(10);
  expect(documented).toEqual(example);
});

/** Every Markdown file the repository documents itself in. */
function markdownFiles(folder = ""): string[] {
  return readdirSync(path.join(repoRoot, folder), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(folder, entry.name);
    if (entry.isDirectory())
      return ["node_modules", ".git", ".next", "dist", ".data", "test-results"].includes(entry.name) ? [] : markdownFiles(relative);
    return entry.name.endsWith(".md") ? [relative] : [];
  });
}

test.each(markdownFiles())("%s links only to files that exist", (file) => {
  const broken = [...read(file).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
    .map((match) => match[1] ?? "")
    .filter((target) => !/^[a-z]+:/.test(target))
    .filter((target) => !existsSync(path.resolve(repoRoot, path.dirname(file), target)));
  expect(broken).toEqual([]);
});

/** Every test file's name in the repository (the docs name them by their file name or path). */
function testFileNames(folder = ""): string[] {
  return readdirSync(path.join(repoRoot, folder), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(folder, entry.name);
    if (entry.isDirectory())
      return ["node_modules", ".git", ".next", "dist", ".data", "test-results"].includes(entry.name) ? [] : testFileNames(relative);
    return /\.(test|smoke)\.ts$/.test(entry.name) ? [entry.name] : [];
  });
}

test.each(markdownFiles())("%s names only test files that exist", (file) => {
  const existing = new Set(testFileNames());
  const named = [...read(file).matchAll(/(?<![\w.*-])([A-Za-z0-9][A-Za-z0-9_.-]*\.(?:test|smoke)\.ts)/g)].map((match) => match[1] ?? "");
  expect(named.filter((name) => !existing.has(name))).toEqual([]);
});
