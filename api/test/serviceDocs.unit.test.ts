// docs/API-SERVICE.md (and the README's diagram) against what the code says: the layout names
// every file of api/src, the route table every operation of api/openapi.json, the error table
// exactly ERROR_CODES with their statuses, the test table every file of api/test. A table that
// drifts from its source fails here, with what is missing or extra.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { ERROR_CODES } from "../src/http/errors";
import { tableRows } from "@authbridge/testing/markdown";

const api = path.join(__dirname, "..");
const repo = path.join(api, "..");
const page = readFileSync(path.join(repo, "docs", "API-SERVICE.md"), "utf8");
const sorted = (items: Iterable<string>) => [...new Set(items)].sort();

/** The page's section under `## <title>`, up to the next `## `. */
function section(title: string): string {
  const start = page.indexOf(`\n## ${title}\n`);
  if (start === -1) throw new Error(`docs/API-SERVICE.md has no "## ${title}" section`);
  const end = page.indexOf("\n## ", start + 1);
  return page.slice(start, end === -1 ? undefined : end);
}

const backticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? "");

/** OpenAPI's `{param}` written as Express writes it, `:param`. */
const expressPath = (openApiPath: string) => openApiPath.replace(/\{(\w+)\}/g, ":$1");

const document = JSON.parse(readFileSync(path.join(api, "openapi.json"), "utf8")) as { paths: Record<string, Record<string, unknown>> };
const operations = Object.entries(document.paths).flatMap(([route, methods]) =>
  Object.keys(methods).map((method) => `${method.toUpperCase()} ${expressPath(route)}`),
);

/** Routes the app serves outside its OpenAPI document (routes/docs.ts; routes/bench.ts while it exists). */
const outsideTheDocument = [
  "GET /docs",
  ...(existsSync(path.join(api, "src", "routes", "bench.ts")) ? ["GET /bench/baseline", "GET /bench/stats"] : []),
];

describe("docs/API-SERVICE.md", () => {
  test("the route table lists every operation of api/openapi.json, and nothing the app does not serve", () => {
    const listed = tableRows(section("Routes"), "route").flatMap(([cell = ""]) => {
      let method = "";
      // `GET /bench/baseline`, `/bench/stats`: a bare path shares the method before it. A query
      // (`?limit=&cursor=`) is not part of the route.
      return backticked(cell).map((written) => {
        const route = written.replace(/\?.*$/, "");
        const [first = "", second] = route.split(" ");
        if (second === undefined) return `${method} ${first}`;
        method = first;
        return route;
      });
    });
    expect({ missing: sorted(operations.filter((op) => !listed.includes(op))) }).toEqual({ missing: [] });
    expect({ unknown: sorted(listed.filter((op) => !operations.includes(op) && !outsideTheDocument.includes(op))) }).toEqual({ unknown: [] });
    expect(listed).toContain("GET /docs");
  });

  test("the error table is ERROR_CODES: every code, with its status", () => {
    const rows = tableRows(section("Routes"), "status");
    const documented = Object.fromEntries(rows.flatMap(([status = "", codes = ""]) => backticked(codes).map((code) => [code, Number(status)])));
    expect(documented).toEqual({ ...ERROR_CODES });
  });

  test("the layout names every file of api/src", () => {
    const layout = /```\napi\/src\/\n([\s\S]*?)```/.exec(page)?.[1] ?? "";
    // Each entry: a line at two spaces' depth and the deeper lines that continue it.
    const entries = new Map<string, string>();
    let current = "";
    for (const line of layout.split("\n")) {
      const head = /^ {2}(\S+)/.exec(line)?.[1];
      if (head) current = head;
      entries.set(current, `${entries.get(current) ?? ""}\n${line}`);
    }
    const files = readdirSync(path.join(api, "src"), { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts"))
      .map((file) => file.split(path.sep));
    const unnamed = files.filter((parts) => {
      if (parts.length === 1) return !entries.has(parts[0] ?? "");
      const name = (parts.at(-1) ?? "").replace(/\.ts$/, "");
      return !new RegExp(`\\b${name}\\b`).test(entries.get(`${parts[0]}/`) ?? "");
    });
    expect({ unnamed: unnamed.map((parts) => parts.join("/")) }).toEqual({ unnamed: [] });
    const topLevel = [...entries.keys()].filter((entry) => entry !== "" && !entry.endsWith("/"));
    expect({ gone: topLevel.filter((file) => !existsSync(path.join(api, "src", file))) }).toEqual({ gone: [] });
  });

  test("the test table lists every test file of api/test, and only those", () => {
    const listed = tableRows(section("Tests"), "file").flatMap(([cell = ""]) => backticked(cell));
    const files = readdirSync(path.join(api, "test")).filter((file) => file.endsWith(".test.ts"));
    expect(sorted(listed)).toEqual(sorted(files));
  });
});

test("the README's diagram names every path the api serves", () => {
  const readme = readFileSync(path.join(repo, "README.md"), "utf8");
  const diagram = /## Architecture\n+```\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const paths = sorted([...operations, ...outsideTheDocument].map((op) => op.split(" ")[1] ?? "").filter((p) => !p.startsWith("/bench")));
  expect({ missing: paths.filter((p) => !diagram.includes(p)) }).toEqual({ missing: [] });
});
