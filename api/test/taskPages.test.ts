// The bounded list against a real, migrated TLS PostgreSQL: keyset pages, newest first, stable
// under concurrent inserts, 400s for bad parameters, and the index that serves exactly this order.
import type { Express } from "express";
import request from "supertest";
import type { Cluster } from "@authbridge/testing/pg";
import { createApp } from "../src/app";
import { FIRST_PAGE, NEXT_PAGE } from "../src/db/tasks";
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from "@authbridge/api-types";
import { type Runtime, createRuntime } from "../src/runtime";
import { encodeCursor } from "../src/services/taskCursor";
import { migratedCluster } from "@authbridge/testing/migrator";
import { captureLogger, insertUsers, tokenFor, testConfig } from "./helpers";
import { sql, sqlAs } from "@authbridge/testing/sql";

interface WireTask {
  id: string;
  title: string;
  done: boolean;
  createdAt: string;
  updatedAt: string;
}
interface WirePage {
  tasks: WireTask[];
  nextCursor: string | null;
}

let cluster: Cluster;
let runtime: Runtime;
let app: Express;
const logs = captureLogger();
const as = (user: string) => `Bearer ${tokenFor(user)}`;

/** `count` tasks for a user, one minute apart, newest "title 1" (plain SQL, as a bulk import would). */
async function seedTasks(userId: string, count: number, at = "now()"): Promise<void> {
  await sqlAs(
    cluster.url,
    userId,
    `INSERT INTO task (id, "userId", title, "createdAt", "updatedAt")
     SELECT gen_random_uuid()::text, $1, 'title ' || n, ${at} - n * interval '1 minute', now() FROM generate_series(1, $2::int) AS n`,
    [userId, count],
  );
}

async function page(userId: string, query: Record<string, string> = {}): Promise<request.Response> {
  return request(app).get(`/api/${userId}/tasks`).query(query).set("Authorization", as(userId));
}

/** Every page from the first, following nextCursor. */
async function allPages(userId: string, limit: number, between?: (pageNumber: number) => Promise<void>): Promise<WirePage[]> {
  const pages: WirePage[] = [];
  let cursor: string | null = null;
  do {
    const res = await page(userId, { limit: String(limit), ...(cursor ? { cursor } : {}) });
    expect(res.status).toBe(200);
    const body = res.body as WirePage;
    pages.push(body);
    cursor = body.nextCursor;
    await between?.(pages.length);
  } while (cursor && pages.length < 1000);
  return pages;
}

beforeAll(async () => {
  cluster = await migratedCluster();
  await insertUsers(cluster.url, ["pager", "pair", "racer", "empty", "huge"]);
  runtime = createRuntime(testConfig({ API_DATABASE_URL: cluster.url }), logs.logger);
  app = createApp(runtime.deps);
  await seedTasks("pager", 123);
});
afterAll(async () => {
  await runtime?.close();
  await cluster?.destroy();
});

test(`no limit: the newest ${PAGE_SIZE_DEFAULT} and a cursor; the body is exactly { tasks, nextCursor }`, async () => {
  const res = await page("pager");
  expect(res.status).toBe(200);
  expect(Object.keys(res.body as WirePage).sort()).toEqual(["nextCursor", "tasks"]);
  const body = res.body as WirePage;
  expect(body.tasks).toHaveLength(PAGE_SIZE_DEFAULT);
  expect(body.tasks[0]?.title).toBe("title 1");
  expect(body.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
});

test("following nextCursor visits every task once, newest first, and the last page says null", async () => {
  const pages = await allPages("pager", 50);
  expect(pages.map((p) => p.tasks.length)).toEqual([50, 50, 23]);
  expect(pages.at(-1)?.nextCursor).toBeNull();
  const titles = pages.flatMap((p) => p.tasks.map((t) => t.title));
  expect(titles).toEqual(Array.from({ length: 123 }, (_, i) => `title ${i + 1}`));
});

test("a page that ends exactly at the last task has no cursor; an empty list is an empty page", async () => {
  expect(((await page("pager", { limit: "123" })).body as WirePage).nextCursor).toBeNull();
  expect(((await page("pager", { limit: "122" })).body as WirePage).nextCursor).not.toBeNull();
  expect((await page("empty")).body).toEqual({ tasks: [], nextCursor: null });
});

test(`limit ${PAGE_SIZE_MAX} is served; the list never returns more than asked`, async () => {
  await seedTasks("huge", PAGE_SIZE_MAX + 5);
  const res = await page("huge", { limit: String(PAGE_SIZE_MAX) });
  expect(res.status).toBe(200);
  expect((res.body as WirePage).tasks).toHaveLength(PAGE_SIZE_MAX);
  expect(((await page("huge", { limit: "1" })).body as WirePage).tasks).toHaveLength(1);
});

test("tasks created at the same millisecond are ordered by id and none is lost between pages", async () => {
  await sqlAs(
    cluster.url,
    "pair",
    `INSERT INTO task (id, "userId", title, "createdAt", "updatedAt")
     SELECT 'same-' || lpad(n::text, 2, '0'), 'pair', 'same ' || n, timestamp '2026-01-01 00:00:00.123', now() FROM generate_series(1, 7) AS n`,
  );
  const pages = await allPages("pair", 2);
  expect(pages.map((p) => p.tasks.length)).toEqual([2, 2, 2, 1]);
  expect(pages.flatMap((p) => p.tasks.map((t) => t.id))).toEqual(["same-07", "same-06", "same-05", "same-04", "same-03", "same-02", "same-01"]);
});

test("stable under concurrent inserts: new tasks appear on no later page, and no old task is skipped or repeated", async () => {
  await seedTasks("racer", 30, "timestamp '2026-06-01 12:00:00'");
  const before = (await sqlAs(cluster.url, "racer", `SELECT id FROM task WHERE "userId" = 'racer' ORDER BY "createdAt" DESC, id DESC`)).map(
    (r) => r.id,
  );
  const pages = await allPages("racer", 7, async () => {
    await request(app).post("/api/racer/tasks").set("Authorization", as("racer")).send({ title: "arrived meanwhile" }).expect(201);
  });
  const seen = pages.flatMap((p) => p.tasks.map((t) => t.id));
  expect(seen).toEqual(before);
});

test("the list's timestamps are exactly what the create wrote and answered (ISO 8601 UTC, milliseconds)", async () => {
  const created = await request(app).post("/api/empty/tasks").set("Authorization", as("empty")).send({ title: "timed" }).expect(201);
  const listed = (await page("empty")).body as WirePage;
  expect(listed.tasks).toEqual([(created.body as { task: WireTask }).task]);
  expect(listed.tasks[0]?.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
});

describe("bad parameters: 400 with the field named, before any database work", () => {
  const limitMessage = `must be an integer from 1 to ${PAGE_SIZE_MAX}`;
  test.each([["0"], [String(PAGE_SIZE_MAX + 1)], ["-1"], ["1.5"], ["abc"], [""], ["1e2"], [" 5"], ["99999999999999999999"]])(
    "limit=%j",
    async (limit) => {
      const res = await page("pager", { limit });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: "invalid_request", message: "the request is invalid", fields: { limit: limitMessage } } });
    },
  );

  test("limit given twice", async () => {
    const res = await request(app).get("/api/pager/tasks?limit=5&limit=6").set("Authorization", as("pager"));
    expect(res.status).toBe(400);
    expect((res.body as { error: { fields: unknown } }).error.fields).toEqual({ limit: limitMessage });
  });

  const b64 = (text: string) => Buffer.from(text).toString("base64url");
  test.each([
    ["not base64url", "a+b/c="],
    ["base64url of nothing useful", b64("hello")],
    ["the wrong shape", b64(JSON.stringify({ createdAt: "2026-01-01T00:00:00.000Z", id: "x" }))],
    ["a date that is not one", b64(JSON.stringify(["2026-13-45T99:00:00.000Z", "x"]))],
    ["a day the calendar lacks", b64(JSON.stringify(["2026-02-30T00:00:00.000Z", "x"]))],
    ["a date without milliseconds", b64(JSON.stringify(["2026-01-01T00:00:00Z", "x"]))],
    ["an id with a NUL", b64(JSON.stringify(["2026-01-01T00:00:00.000Z", "a\u0000b"]))],
    ["an empty id", b64(JSON.stringify(["2026-01-01T00:00:00.000Z", ""]))],
    ["far too long", "A".repeat(600)],
    ["empty", ""],
  ])("cursor: %s", async (_what, cursor) => {
    const res = await page("pager", { cursor });
    expect(res.status).toBe(400);
    expect((res.body as { error: unknown }).error).toEqual({
      code: "invalid_request",
      message: "the request is invalid",
      fields: { cursor: "must be a nextCursor value from a previous page" },
    });
  });

  test("a well-formed cursor from nowhere is just a position: 200, the tasks older than it", async () => {
    const res = await page("pager", { cursor: encodeCursor({ createdAt: "1970-01-01T00:00:00.000Z", id: "z" }) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ tasks: [], nextCursor: null });
  });

  test("401 and 403 still come first", async () => {
    expect((await request(app).get("/api/pager/tasks?limit=0")).status).toBe(401);
    expect((await request(app).get("/api/pager/tasks?limit=0").set("Authorization", as("racer"))).status).toBe(403);
  });
});

test("both statements are served by task_userId_createdAt_id_idx in order, without a sort", async () => {
  await seedTasks("huge", 5000);
  await sql(cluster.url, "ANALYZE task");
  const plans = [
    await sql(cluster.url, `EXPLAIN (FORMAT JSON) ${FIRST_PAGE.text}`.replace("$1", "'huge'").replace("$2", "51")),
    await sql(
      cluster.url,
      `EXPLAIN (FORMAT JSON) ${NEXT_PAGE.text}`
        .replace("$1", "'huge'")
        .replace("$2", "51")
        .replace("$3", "'2026-01-01T00:00:00.000Z'")
        .replace("$4", "'m'"),
    ),
  ].map((rows) => JSON.stringify(rows[0]));
  for (const plan of plans) {
    expect(plan).toContain('"Index Name":"task_userId_createdAt_id_idx"');
    expect(plan).not.toContain('"Node Type":"Sort"');
  }
});
