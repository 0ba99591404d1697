// The object-level authorization matrix (api/authorization-matrix.json) against the built api
// (node dist/server.js) on a real, migrated TLS PostgreSQL: every operation of api/openapi.json,
// called by the owner, another signed-in user (on their own path and on the owner's), anonymous,
// a signed-out session's token and an expired token, each answering the status the matrix names,
// and none of the others changing or seeing anything of the owner's. The matrix cannot drift
// from the document, and a copy of the built api with the user filter removed from one task
// statement fails it (a mutation check: the matrix catches the bug it exists for).
import { randomUUID } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { mint } from "@authbridge/testing/tokens";
import { migratedCluster } from "@authbridge/testing/migrator";
import { type Cluster, freePort, repoRoot } from "@authbridge/testing/pg";
import { type Program, assertBuilt, programs, startProgram, stopProgram, waitForUrl } from "@authbridge/testing/processes";
import { insertSession, sql, sqlAs } from "@authbridge/testing/sql";
import { API_ORIGIN, VECTOR_SECRET, WEB_ORIGIN, insertUsers, tokenFor } from "./helpers";
import { documentPath } from "./support/openapiCheck";

const CALLERS = ["owner", "otherOnOwnPath", "otherOnOwnersPath", "anonymous", "signedOut", "expired"] as const;
type Caller = (typeof CALLERS)[number];
type Row = Record<Caller, number> & { body?: object };
interface Matrix {
  callers: Record<Caller, string>;
  operations: Record<string, Row>;
}

const matrix = JSON.parse(readFileSync(path.join(repoRoot, "api", "authorization-matrix.json"), "utf8")) as Matrix;
const document = JSON.parse(readFileSync(documentPath, "utf8")) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
const documented = Object.entries(document.paths).flatMap(([route, methods]) => Object.keys(methods).map((method) => `${method} ${route}`));

const OWNER = "owner";
const OTHER = "other";
// Every title the owner's tasks carry contains this, so no answer to anyone else may.
const MARK = "owner-private";
const SIGNED_OUT_SESSION = "session-signed-out";

let cluster: Cluster;
const tokens = {} as Record<Caller, string | null>;
const running: Program[] = [];

/** The built api (or a copy of it) on a free port, against the test cluster. */
async function startApi(script: string, env: Record<string, string> = {}): Promise<string> {
  const port = await freePort();
  const api = startProgram("api", script, {
    env: {
      BETTER_AUTH_SECRET: VECTOR_SECRET,
      BETTER_AUTH_URL: WEB_ORIGIN,
      API_URL: API_ORIGIN,
      API_PORT: String(port),
      API_WORKERS: "1",
      API_DATABASE_URL: cluster.url,
      LOG_LEVEL: "warn",
      ...env,
    },
  });
  running.push(api);
  const base = `http://127.0.0.1:${port}`;
  await waitForUrl(api, `${base}/healthz`);
  return base;
}

function urlOf(template: string, caller: Caller, taskId: string): string {
  const userId = caller === "otherOnOwnPath" ? OTHER : OWNER;
  return template.replace("{userId}", userId).replace("{taskId}", taskId);
}

const ownerRows = () => sqlAs(cluster.url, OWNER, `SELECT id, title, done, "updatedAt"::text FROM task WHERE "userId" = $1 ORDER BY id`, [OWNER]);

async function ownerTask(): Promise<string> {
  const id = randomUUID();
  await sqlAs(cluster.url, OWNER, `INSERT INTO task (id, "userId", title, done, "createdAt", "updatedAt") VALUES ($1, $2, $3, false, now(), now())`, [
    id,
    OWNER,
    `${MARK} ${id}`,
  ]);
  return id;
}

async function send(base: string, method: string, url: string, caller: Caller, body?: object) {
  const token = tokens[caller];
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (body) headers["content-type"] = "application/json";
  const response = await fetch(`${base}${url}`, { method: method.toUpperCase(), headers, body: body ? JSON.stringify(body) : undefined });
  return { status: response.status, text: await response.text() };
}

/** Runs every row against the api at `base`; returns each disagreement (none: the matrix holds). */
async function runMatrix(base: string): Promise<string[]> {
  const failures: string[] = [];
  for (const [operation, row] of Object.entries(matrix.operations)) {
    const [method = "", template = ""] = operation.split(" ");
    // A fresh task of the owner's for each operation, so the owner's own DELETE cannot starve the rest.
    const taskId = await ownerTask();
    const before = await ownerRows();
    for (const caller of CALLERS.filter((c) => c !== "owner")) {
      const answer = await send(base, method, urlOf(template, caller, taskId), caller, row.body);
      if (answer.status !== row[caller]) failures.push(`${operation} as ${caller}: expected ${row[caller]}, got ${answer.status}`);
      if (answer.text.includes(MARK) || answer.text.includes(taskId)) failures.push(`${operation} as ${caller}: the answer shows the owner's task`);
    }
    if (JSON.stringify(await ownerRows()) !== JSON.stringify(before)) failures.push(`${operation}: the others' attempts changed the owner's tasks`);
    const own = await send(base, method, urlOf(template, "owner", taskId), "owner", row.body);
    if (own.status !== row.owner) failures.push(`${operation} as owner: expected ${row.owner}, got ${own.status}`);
  }
  return failures;
}

beforeAll(async () => {
  assertBuilt(programs.api);
  cluster = await migratedCluster();
  await insertUsers(cluster.url, [OWNER, OTHER]);
  await insertSession(cluster.url, OWNER, SIGNED_OUT_SESSION);
  const now = Math.floor(Date.now() / 1000);
  tokens.owner = tokenFor(OWNER);
  tokens.otherOnOwnPath = tokenFor(OTHER);
  tokens.otherOnOwnersPath = tokenFor(OTHER);
  tokens.anonymous = null;
  tokens.expired = tokenFor(OWNER, { iat: now - 3600, exp: now - 1800 });
  tokens.signedOut = mint(
    { issuer: WEB_ORIGIN, audience: API_ORIGIN, secret: VECTOR_SECRET },
    { id: OWNER, sessionId: SIGNED_OUT_SESSION },
    { header: { kid: "1" } },
  );
});
afterAll(async () => {
  for (const program of running) await stopProgram(program);
  await cluster?.destroy();
});

describe("the matrix file", () => {
  test("has a row for every operation in api/openapi.json, and none for an operation it does not have", () => {
    const rows = Object.keys(matrix.operations);
    expect({ withoutRows: documented.filter((op) => !rows.includes(op)), notInDocument: rows.filter((op) => !documented.includes(op)) }).toEqual({
      withoutRows: [],
      notInDocument: [],
    });
  });

  test("names every caller in every row, each with a status the document lists for that operation", () => {
    expect(Object.keys(matrix.callers).sort()).toEqual([...CALLERS].sort());
    const problems: string[] = [];
    for (const [operation, row] of Object.entries(matrix.operations)) {
      const [method = "", route = ""] = operation.split(" ");
      const statuses = Object.keys(document.paths[route]?.[method]?.responses ?? {}).map(Number);
      for (const caller of CALLERS) if (!statuses.includes(row[caller])) problems.push(`${operation} ${caller}: ${row[caller]} is not documented`);
    }
    expect(problems).toEqual([]);
  });
});

describe("against the built api", () => {
  let base: string;
  beforeAll(async () => {
    base = await startApi(programs.api);
    // Sign the session out the way the web does (its row deleted) after the api has seen it alive,
    // then wait for the api to know: from then on that token is refused.
    expect((await send(base, "get", "/api/whoami", "signedOut")).status).toBe(200);
    await sql(cluster.url, `DELETE FROM "session" WHERE id = $1`, [SIGNED_OUT_SESSION]);
    const deadline = Date.now() + 15_000;
    while ((await send(base, "get", "/api/whoami", "signedOut")).status !== 401) {
      if (Date.now() > deadline) throw new Error("the api never noticed the signed-out session");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  test("every operation answers every caller as the matrix says; nothing of the owner's changes or shows", async () => {
    expect(await runMatrix(base)).toEqual([]);
  });
});

// The three statements that take a task id; each, with its user filter made always true, is the
// broken handler the matrix must catch. The database's own row-level security catches it too, so
// the matrix is run against each mutant with it switched off (then the matrix alone must fail),
// and again with it on (then the second line alone must hold).
const STATEMENTS = [
  ["task_by_id", "get /api/{userId}/tasks/{taskId} as otherOnOwnPath: expected 404, got 200"],
  ["task_update", "patch /api/{userId}/tasks/{taskId} as otherOnOwnPath: expected 404, got 200"],
  ["task_delete", "delete /api/{userId}/tasks/{taskId} as otherOnOwnPath: expected 404, got 204"],
] as const;

describe("mutation check: the built api with one statement's user filter removed", () => {
  const copies: string[] = [];
  afterAll(() => {
    for (const copy of copies) rmSync(copy, { recursive: true, force: true });
  });

  test.each(STATEMENTS)("%s: the matrix fails", async (name, expected) => {
    const copy = mkdtempSync(path.join(os.tmpdir(), "authbridge-mutant-"));
    copies.push(copy);
    cpSync(path.dirname(programs.api), copy, { recursive: true });
    const file = path.join(copy, "db", "tasks.js");
    const source = readFileSync(file, "utf8");
    const at = source.indexOf(`name: "${name}"`);
    const filter = `WHERE id = $1 AND "userId" = $2`;
    const where = source.indexOf(filter, at);
    expect(at).toBeGreaterThan(-1);
    expect(where).toBeGreaterThan(at);
    // $2 stays referenced (a prepared statement must know every parameter's type), but filters nothing.
    writeFileSync(file, source.slice(0, where) + `WHERE id = $1 AND $2::text = $2::text` + source.slice(where + filter.length));

    // The copy resolves its dependencies from the repository's node_modules.
    const base = await startApi(path.join(copy, "server.js"), {
      NODE_PATH: [path.join(repoRoot, "api", "node_modules"), path.join(repoRoot, "node_modules")].join(path.delimiter),
    });
    await sql(cluster.url, "ALTER TABLE task DISABLE ROW LEVEL SECURITY");
    try {
      expect(await runMatrix(base)).toContain(expected);
    } finally {
      await sql(cluster.url, "ALTER TABLE task ENABLE ROW LEVEL SECURITY");
    }
    expect(await runMatrix(base)).toEqual([]);
    await stopProgram(running.pop());
  });
});
