/**
 * The benchmark measures the api through public seams only (issue 24): the app the server runs has
 * no route or timer that only a measurement needs, nothing under api/src names the bench, and the
 * bench reaches the api through its package's one public module (@authbridge/api/lib), never
 * through a path into api/src or api/dist.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";

const repoRoot = path.resolve(__dirname, "..", "..");

function filesUnder(folder: string): string[] {
  return readdirSync(path.join(repoRoot, folder), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(folder, entry.name);
    if (entry.isDirectory()) return filesUnder(relative);
    return entry.name.endsWith(".ts") ? [relative] : [];
  });
}

const read = (file: string) => readFileSync(path.join(repoRoot, file), "utf8");
const importsOf = (text: string) => [...text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)["']([^"']+)["']/g)].map((match) => match[1] ?? "");

test("nothing under api/src imports or mentions the bench", () => {
  const sources = filesUnder("api/src");
  expect(sources.length).toBeGreaterThan(20);
  expect(sources.filter((file) => /bench/i.test(read(file)))).toEqual([]);
});

test("the bench imports the api only as @authbridge/api/lib, the package's public module", () => {
  const files = filesUnder("bench/src");
  const intoTheApi = files.flatMap((file) =>
    importsOf(read(file))
      .filter((specifier) => /(^|\/)api\/(src|dist)\b|^@authbridge\/api(\/|$)/.test(specifier))
      .filter((specifier) => specifier !== "@authbridge/api/lib")
      .map((specifier) => `${file}: ${specifier}`),
  );
  expect(intoTheApi).toEqual([]);
  expect(files.some((file) => importsOf(read(file)).includes("@authbridge/api/lib"))).toBe(true);
});

test("the api package exports its server and lib.ts, nothing else", () => {
  const pkg = JSON.parse(read("api/package.json")) as { exports?: Record<string, string> };
  expect(pkg.exports).toEqual({ ".": "./dist/server.js", "./lib": "./dist/lib.js", "./package.json": "./package.json" });
});
