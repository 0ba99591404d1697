// The published contract: api/openapi.json is what the schemas generate, it is valid OpenAPI 3.1,
// the web's types are generated from it, GET /openapi.json serves it, and every status it lists
// for every route is one the api really answers (each case below is called; the setup file checks
// every answer against the document, so nothing answered can be missing from it either).
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, TITLE_MAX } from "@authbridge/api-types";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Express } from "express";
import request from "supertest";
import type { Cluster } from "@authbridge/testing/pg";
import { createApp } from "../src/app";
import { buildOpenApiDocument } from "../src/openapi/document";
import { ROUTES } from "../src/routes";
import { type Runtime, createRuntime } from "../src/runtime";
import { migratedCluster } from "@authbridge/testing/migrator";
import { type SingleTask, VECTOR_KEY_HEX, VECTOR_SECRET, captureLogger, insertUsers, tokenFor, testConfig } from "./helpers";
import { contractProblem, documentPath } from "./support/openapiCheck";

const root = path.join(__dirname, "..", "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const committed = readFileSync(documentPath, "utf8");
// The parts of the committed document these tests read.
interface PublishedDocument {
  openapi: string;
  components: {
    securitySchemes: Record<string, unknown>;
    schemas: Record<string, { properties: Record<string, { maxLength?: number }> }>;
  };
  paths: Record<string, Record<string, { security?: unknown; parameters?: { name: string; schema: unknown }[] }>>;
}
const published = () => JSON.parse(committed) as PublishedDocument;
const as = (user: string) => `Bearer ${tokenFor(user)}`;

describe("api/openapi.json", () => {
  test("is exactly what the schemas generate (run `make openapi` after changing them)", () => {
    expect(committed).toBe(`${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
  });

  test("validates as OpenAPI 3.1", () => {
    const result = JSON.parse(execFileSync(bin("validate-api"), [documentPath], { encoding: "utf8" })) as { valid: boolean; errors?: unknown };
    expect(result).toEqual({ valid: true });
    expect(published().openapi).toMatch(/^3\.1\./);
  });

  test("the web's types (@authbridge/api-types/openapi) are generated from it", () => {
    const generated = execFileSync(bin("openapi-typescript"), [documentPath], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    expect(readFileSync(path.join(root, "packages", "api-types", "src", "openapi.ts"), "utf8")).toBe(generated);
  });

  test("describes the bearer scheme, every declared route and nothing else (no benchmark-only route)", () => {
    const document = published();
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
    const operations = Object.entries(document.paths).flatMap(([route, methods]) => Object.keys(methods).map((method) => `${method} ${route}`));
    expect(operations.sort()).toEqual(ROUTES.map((route) => `${route.method} ${route.path}`).sort());
    expect(operations.filter((operation) => /\/(bench|docs)\b/.test(operation))).toEqual([]);
    expect(document.paths["/livez"]?.get?.security).toEqual([]);
    expect(document.paths["/api/me"]?.get?.security).toEqual([{ bearerAuth: [] }]);
  });
});

test("the limits are @authbridge/api-types's, in the document and in the database schema", () => {
  const document = published();
  expect(document.components.schemas.NewTask?.properties.title?.maxLength).toBe(TITLE_MAX);
  const limit = document.paths["/api/{userId}/tasks"]?.get?.parameters?.find((p) => p.name === "limit");
  expect(limit?.schema).toMatchObject({ type: "integer", minimum: 1, maximum: PAGE_SIZE_MAX, default: PAGE_SIZE_DEFAULT });
  // A migration cannot import a constant: the column's width is checked against it instead.
  const prismaSchema = readFileSync(path.join(root, "migrator", "prisma", "schema.prisma"), "utf8");
  expect(prismaSchema).toMatch(new RegExp(`\\btitle\\s+String\\s+@db\\.VarChar\\(${TITLE_MAX}\\)`));
});

describe("every route answers every status the document lists, and only those", () => {
  let cluster: Cluster;
  let up: Runtime;
  let down: Runtime;
  let tight: Runtime;
  let apps: { up: Express; down: Express; tight: Express };
  const seen = new Map<string, Set<number>>();

  beforeAll(async () => {
    cluster = await migratedCluster();
    await insertUsers(cluster.url, ["user-a", "user-q", "user-r", "user-s", "user-t"]);
    up = createRuntime(testConfig({ API_DATABASE_URL: cluster.url }), captureLogger().logger);
    // The default test database URL points at a port where nothing listens.
    down = createRuntime(testConfig(), captureLogger().logger);
    // One task per user, two writes per minute.
    tight = createRuntime(testConfig({ API_DATABASE_URL: cluster.url, TASK_QUOTA: "1", WRITE_RATE_LIMIT: "2" }), captureLogger().logger);
    apps = { up: createApp(up.deps), down: createApp(down.deps), tight: createApp(tight.deps) };
    const made = async () =>
      ((await post(apps.up, "/api/user-a/tasks", as("user-a")).send({ title: "by id" }).expect(201)).body as SingleTask).task.id;
    task = await made();
    doomed = await made();
  });
  afterAll(async () => {
    await Promise.all([up?.close(), down?.close(), tight?.close()]);
    await cluster?.destroy();
  });

  const caller = (method: "get" | "post" | "patch" | "delete") => (app: Express, url: string, token?: string) => {
    const req = request(app)[method](url);
    return token ? req.set("Authorization", token) : req;
  };
  const [get, post, patch, del] = [caller("get"), caller("post"), caller("patch"), caller("delete")];
  // user-a's task for the by-id routes (made in beforeAll); a second one the DELETE case removes.
  let task = "";
  let doomed = "";
  const gone = "00000000-0000-4000-8000-000000000000";

  const cases: [string, number, () => PromiseLike<request.Response>][] = [
    ["get /api/me", 200, () => get(apps.up, "/api/me", as("user-a"))],
    ["get /api/me", 401, () => get(apps.up, "/api/me")],
    ["get /api/me", 503, () => get(apps.down, "/api/me", as("user-a"))],
    ["get /api/whoami", 200, () => get(apps.up, "/api/whoami", as("user-a"))],
    ["get /api/whoami", 401, () => get(apps.down, "/api/whoami", "Bearer not.a.token")],
    // The token's session cannot be checked without the database.
    ["get /api/whoami", 503, () => get(apps.down, "/api/whoami", as("user-a"))],
    ["get /api/{userId}/tasks", 200, () => get(apps.up, "/api/user-a/tasks?limit=10", as("user-a"))],
    ["get /api/{userId}/tasks", 400, () => get(apps.up, "/api/user-a/tasks?limit=0", as("user-a"))],
    ["get /api/{userId}/tasks", 401, () => get(apps.up, "/api/user-a/tasks")],
    ["get /api/{userId}/tasks", 403, () => get(apps.up, "/api/user-b/tasks", as("user-a"))],
    ["get /api/{userId}/tasks", 503, () => get(apps.down, "/api/user-a/tasks", as("user-a"))],
    ["post /api/{userId}/tasks", 201, () => post(apps.up, "/api/user-a/tasks", as("user-a")).send({ title: "from the contract test" })],
    ["post /api/{userId}/tasks", 400, () => post(apps.up, "/api/user-a/tasks", as("user-a")).send({ title: "" })],
    ["post /api/{userId}/tasks", 401, () => post(apps.up, "/api/user-a/tasks").send({ title: "x" })],
    ["post /api/{userId}/tasks", 403, () => post(apps.up, "/api/user-b/tasks", as("user-a")).send({ title: "x" })],
    [
      "post /api/{userId}/tasks",
      409,
      async () => {
        await post(apps.tight, "/api/user-q/tasks", as("user-q")).send({ title: "the one" }).expect(201);
        return post(apps.tight, "/api/user-q/tasks", as("user-q")).send({ title: "one too many" });
      },
    ],
    [
      "post /api/{userId}/tasks",
      429,
      async () => {
        for (let i = 0; i < 2; i++) await post(apps.tight, "/api/user-r/tasks", as("user-r")).send({ title: "" }).expect(400);
        return post(apps.tight, "/api/user-r/tasks", as("user-r")).send({ title: "x" });
      },
    ],
    ["post /api/{userId}/tasks", 413, () => post(apps.up, "/api/user-a/tasks", as("user-a")).send({ title: "x".repeat(17 * 1024) })],
    ["post /api/{userId}/tasks", 415, () => post(apps.up, "/api/user-a/tasks", as("user-a")).type("text/plain").send("title=x")],
    ["post /api/{userId}/tasks", 503, () => post(apps.down, "/api/user-a/tasks", as("user-a")).send({ title: "x" })],
    ["get /api/{userId}/tasks/{taskId}", 200, () => get(apps.up, `/api/user-a/tasks/${task}`, as("user-a"))],
    ["get /api/{userId}/tasks/{taskId}", 401, () => get(apps.up, `/api/user-a/tasks/${task}`)],
    ["get /api/{userId}/tasks/{taskId}", 403, () => get(apps.up, `/api/user-b/tasks/${task}`, as("user-a"))],
    ["get /api/{userId}/tasks/{taskId}", 404, () => get(apps.up, `/api/user-a/tasks/${gone}`, as("user-a"))],
    ["get /api/{userId}/tasks/{taskId}", 503, () => get(apps.down, `/api/user-a/tasks/${task}`, as("user-a"))],
    ["patch /api/{userId}/tasks/{taskId}", 200, () => patch(apps.up, `/api/user-a/tasks/${task}`, as("user-a")).send({ done: true })],
    ["patch /api/{userId}/tasks/{taskId}", 400, () => patch(apps.up, `/api/user-a/tasks/${task}`, as("user-a")).send({ done: "yes" })],
    ["patch /api/{userId}/tasks/{taskId}", 401, () => patch(apps.up, `/api/user-a/tasks/${task}`).send({ done: true })],
    ["patch /api/{userId}/tasks/{taskId}", 403, () => patch(apps.up, `/api/user-b/tasks/${task}`, as("user-a")).send({ done: true })],
    ["patch /api/{userId}/tasks/{taskId}", 404, () => patch(apps.up, `/api/user-a/tasks/${gone}`, as("user-a")).send({ done: true })],
    [
      "patch /api/{userId}/tasks/{taskId}",
      429,
      async () => {
        for (let i = 0; i < 2; i++) await patch(apps.tight, `/api/user-s/tasks/${gone}`, as("user-s")).send({ done: true }).expect(404);
        return patch(apps.tight, `/api/user-s/tasks/${gone}`, as("user-s")).send({ done: true });
      },
    ],
    [
      "patch /api/{userId}/tasks/{taskId}",
      413,
      () => patch(apps.up, `/api/user-a/tasks/${task}`, as("user-a")).send({ title: "x".repeat(17 * 1024) }),
    ],
    ["patch /api/{userId}/tasks/{taskId}", 415, () => patch(apps.up, `/api/user-a/tasks/${task}`, as("user-a")).type("text/plain").send("done=true")],
    ["patch /api/{userId}/tasks/{taskId}", 503, () => patch(apps.down, `/api/user-a/tasks/${task}`, as("user-a")).send({ done: true })],
    ["delete /api/{userId}/tasks/{taskId}", 204, () => del(apps.up, `/api/user-a/tasks/${doomed}`, as("user-a"))],
    ["delete /api/{userId}/tasks/{taskId}", 401, () => del(apps.up, `/api/user-a/tasks/${task}`)],
    ["delete /api/{userId}/tasks/{taskId}", 403, () => del(apps.up, `/api/user-b/tasks/${task}`, as("user-a"))],
    ["delete /api/{userId}/tasks/{taskId}", 404, () => del(apps.up, `/api/user-a/tasks/${doomed}`, as("user-a"))],
    [
      "delete /api/{userId}/tasks/{taskId}",
      429,
      async () => {
        for (let i = 0; i < 2; i++) await del(apps.tight, `/api/user-t/tasks/${gone}`, as("user-t")).expect(404);
        return del(apps.tight, `/api/user-t/tasks/${gone}`, as("user-t"));
      },
    ],
    ["delete /api/{userId}/tasks/{taskId}", 503, () => del(apps.down, `/api/user-a/tasks/${task}`, as("user-a"))],
    ["get /healthz", 200, () => get(apps.up, "/healthz")],
    ["get /healthz", 503, () => get(apps.down, "/healthz")],
    ["get /livez", 200, () => get(apps.down, "/livez")],
    ["get /openapi.json", 200, () => get(apps.down, "/openapi.json")],
    [
      "get /openapi.json",
      304,
      async () => {
        const { etag } = (await get(apps.down, "/openapi.json")).headers;
        return get(apps.down, "/openapi.json").set("If-None-Match", etag ?? "");
      },
    ],
  ];

  test.each(cases)("%s -> %i", async (operation, status, call) => {
    const res = await call();
    expect(res.status).toBe(status);
    if (!seen.has(operation)) seen.set(operation, new Set());
    seen.get(operation)?.add(res.status);
  });

  test("the cases above cover every (route, method, status) in the document", () => {
    const documented = new Map<string, Set<number>>();
    const { paths } = JSON.parse(committed) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    for (const [route, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        documented.set(`${method} ${route}`, new Set(Object.keys(operation.responses).map(Number)));
      }
    }
    expect(seen).toEqual(documented);
  });
});

describe("the answer check every api test runs through", () => {
  const answer = (method: string, url: string, status: number, body: unknown, headers: Record<string, string> = {}) => ({
    method,
    url,
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    text: JSON.stringify(body),
  });
  const challenge = { "www-authenticate": 'Bearer realm="api"' };
  const unauthorized = { error: { code: "unauthorized", message: "a bearer token is required" } };

  test("agrees with a documented answer", () => {
    expect(contractProblem(answer("GET", "/api/me", 401, unauthorized, challenge))).toBeNull();
    expect(contractProblem(answer("GET", "http://127.0.0.1:1/livez?x=1", 200, { status: "pass" }))).toBeNull();
  });

  test("catches an undocumented status, a missing header, a wrong body, an undocumented route", () => {
    expect(contractProblem(answer("GET", "/api/me", 418, unauthorized))).toMatch(/documents only 200, 401, 503/);
    expect(contractProblem(answer("GET", "/api/me", 401, unauthorized))).toMatch(/WWW-Authenticate is missing/);
    expect(contractProblem(answer("GET", "/livez", 200, { status: "ok" }))).toMatch(/does not match the document/);
    expect(contractProblem(answer("GET", "/api/me", 200, { id: "a", email: "not an email", name: "A" }))).toMatch(/format/);
    expect(contractProblem(answer("GET", "/api/everything", 200, {}))).toMatch(/not in the document/);
    expect(contractProblem(answer("GET", "/nope", 404, { message: "not found" }))).toMatch(/does not match/);
    expect(contractProblem({ ...answer("GET", "/healthz", 200, {}), headers: { "content-type": "text/html" } })).toMatch(/Content-Type text\/html/);
  });
});

describe("GET /openapi.json", () => {
  let runtime: Runtime;
  let app: Express;
  beforeAll(() => {
    runtime = createRuntime(testConfig(), captureLogger().logger);
    app = createApp(runtime.deps);
  });
  afterAll(() => runtime.close());

  test("serves the committed document, publicly cached, with no secret in it", async () => {
    const res = await request(app).get("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.headers["cache-control"]).toBe("public, max-age=300");
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(res.body).toEqual(JSON.parse(committed));
    expect(res.text).not.toContain(VECTOR_SECRET);
    expect(res.text).not.toContain(VECTOR_KEY_HEX);
    expect(res.text).not.toMatch(/localhost|127\.0\.0\.1|postgres/);
  });
});
