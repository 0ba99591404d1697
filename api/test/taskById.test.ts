// One task by id against a real, migrated TLS PostgreSQL: read, change, delete; the rules of a
// PATCH body; and the one 404 that answers every id that is not the caller's task, so nobody can
// tell another user's task from one that never existed.
import type { Express } from "express";
import request from "supertest";
import type { Cluster } from "@authbridge/testing/pg";
import { migratedCluster } from "@authbridge/testing/migrator";
import { sqlAs, verifiedUrl } from "@authbridge/testing/sql";
import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { insertTask, updateTask } from "../src/db/tasks";
import { TITLE_MAX } from "@authbridge/api-types";
import { createApp } from "../src/app";
import { type Runtime, createRuntime } from "../src/runtime";
import { type ErrorBody, type SingleTask, type TaskJson, captureLogger, insertUsers, testConfig, tokenFor } from "./helpers";

let cluster: Cluster;
let runtime: Runtime;
let app: Express;
const as = (user: string) => `Bearer ${tokenFor(user)}`;
const path = (user: string, id: string) => `/api/${user}/tasks/${id}`;

async function create(user: string, title: string): Promise<TaskJson> {
  const res = await request(app).post(`/api/${user}/tasks`).set("Authorization", as(user)).send({ title }).expect(201);
  return (res.body as SingleTask).task;
}
const patch = (user: string, id: string, body: unknown) =>
  request(app)
    .patch(path(user, id))
    .set("Authorization", as(user))
    .send(body as object);

beforeAll(async () => {
  cluster = await migratedCluster();
  await insertUsers(cluster.url, ["user-a", "user-b"]);
  runtime = createRuntime(testConfig({ API_DATABASE_URL: cluster.url }), captureLogger().logger);
  app = createApp(runtime.deps);
});
afterAll(async () => {
  await runtime?.close();
  await cluster?.destroy();
});

test("GET: the task, exactly as the list shows it", async () => {
  const task = await create("user-a", "read me");
  const res = await request(app).get(path("user-a", task.id)).set("Authorization", as("user-a"));
  expect(res.status).toBe(200);
  expect((res.body as SingleTask).task).toEqual(task);
});

test("PATCH: done and title change, the title trimmed, updatedAt moves forward, createdAt stays", async () => {
  const task = await create("user-a", "change me");
  const done = await patch("user-a", task.id, { done: true });
  expect(done.status).toBe(200);
  const afterDone = (done.body as SingleTask).task;
  expect(afterDone).toMatchObject({ id: task.id, title: "change me", done: true, createdAt: task.createdAt });
  expect(Date.parse(afterDone.updatedAt)).toBeGreaterThan(Date.parse(task.updatedAt));

  const renamed = (await patch("user-a", task.id, { title: "  renamed  " }).expect(200)).body as SingleTask;
  expect(renamed.task).toMatchObject({ title: "renamed", done: true });
  expect(Date.parse(renamed.task.updatedAt)).toBeGreaterThan(Date.parse(afterDone.updatedAt));

  const both = (await patch("user-a", task.id, { title: "both", done: false }).expect(200)).body as SingleTask;
  expect(both.task).toMatchObject({ title: "both", done: false });
  const [row] = await sqlAs(cluster.url, "user-a", `SELECT title, done FROM task WHERE id = $1`, [task.id]);
  expect(row).toEqual({ title: "both", done: false });
});

test.each([
  ["no field", {}, { body: "must name at least one of title, done" }],
  ["only an unknown field", { titel: "typo" }, { titel: "is not a known field", body: "must name at least one of title, done" }],
  ["an unknown field beside a good one", { done: true, owner: "user-b" }, { owner: "is not a known field" }],
  ["done not a boolean", { done: "yes" }, { done: "must be true or false" }],
  ["an empty title", { title: "   " }, { title: "must not be empty" }],
  ["an over-long title", { title: "x".repeat(TITLE_MAX + 1) }, { title: `must be at most ${TITLE_MAX} characters` }],
  ["a title not a string", { title: 7 }, { title: "is required and must be a string" }],
  ["not an object", [true], { body: "must be a JSON object" }],
])("PATCH with %s: 400 naming the field, nothing changed", async (_case, body, fields) => {
  const task = await create("user-a", "keep me");
  const res = await patch("user-a", task.id, body);
  expect(res.status).toBe(400);
  expect(res.body).toEqual({ error: { code: "invalid_request", message: "the request is invalid", fields } });
  const [row] = await sqlAs(cluster.url, "user-a", `SELECT title, done FROM task WHERE id = $1`, [task.id]);
  expect(row).toEqual({ title: "keep me", done: false });
});

test("DELETE: 204 and the row is gone; a second DELETE, a GET and a PATCH after it are 404", async () => {
  const task = await create("user-a", "delete me");
  const res = await request(app).delete(path("user-a", task.id)).set("Authorization", as("user-a"));
  expect(res.status).toBe(204);
  expect(res.text).toBe("");
  expect(await sqlAs(cluster.url, "user-a", `SELECT 1 FROM task WHERE id = $1`, [task.id])).toHaveLength(0);
  expect((await request(app).delete(path("user-a", task.id)).set("Authorization", as("user-a"))).status).toBe(404);
  expect((await request(app).get(path("user-a", task.id)).set("Authorization", as("user-a"))).status).toBe(404);
  expect((await patch("user-a", task.id, { done: true })).status).toBe(404);
});

describe("any id that is not the caller's task: the same 404, status, body and headers", () => {
  let ids: Record<string, string>;
  beforeAll(async () => {
    const bs = await create("user-b", "B's task");
    const deleted = await create("user-a", "deleted");
    await request(app).delete(path("user-a", deleted.id)).set("Authorization", as("user-a")).expect(204);
    const own = await create("user-a", "A's own");
    ids = {
      "another user's": bs.id,
      "never existed": "5d3b0c2e-8a1f-4b7e-9c4d-2e6f8a0b1c3d",
      "already deleted": deleted.id,
      "another user's, upper-cased": bs.id.toUpperCase(),
      "own id with a suffix": `${own.id}x`,
      "malformed: not an id": "nope",
      "malformed: a NUL": "%00",
      "malformed: broken percent-encoding": "%E0%A4%A",
      "malformed: SQL": "1'%20OR%20'1'='1",
      "malformed: 4 KB": "a".repeat(4096),
    };
  });

  // What may differ between two answers: the request's own id and the clock.
  const comparable = (res: request.Response) => {
    const { "x-request-id": _id, date: _date, ...headers } = res.headers;
    return { status: res.status, headers, text: res.text };
  };

  test.each([
    ["GET", (id: string) => request(app).get(path("user-a", id)).set("Authorization", as("user-a"))],
    ["PATCH", (id: string) => request(app).patch(path("user-a", id)).set("Authorization", as("user-a")).send({ done: true })],
    ["DELETE", (id: string) => request(app).delete(path("user-a", id)).set("Authorization", as("user-a"))],
  ])("%s", async (_method, call) => {
    const answers = new Map<string, ReturnType<typeof comparable>>();
    for (const [label, id] of Object.entries(ids)) answers.set(label, comparable(await call(id)));
    const first = answers.get("never existed");
    expect(first?.status).toBe(404);
    expect(JSON.parse(first?.text ?? "") as ErrorBody).toEqual({ error: { code: "not_found", message: "no such task" } });
    for (const [label, answer] of answers) expect({ label, ...answer }).toEqual({ label, ...first });
    // B's task is untouched by all of it.
    expect(await sqlAs(cluster.url, "user-b", `SELECT title, done FROM task WHERE id = $1`, [ids["another user's"]])).toEqual([
      { title: "B's task", done: false },
    ]);
  });
});

test("a PATCH and a DELETE racing on one task: never a 5xx, and whatever ran last wins cleanly", async () => {
  for (let round = 0; round < 20; round++) {
    const task = await create("user-a", `race ${round}`);
    const [patched, deleted] = await Promise.all([
      patch("user-a", task.id, { done: true }),
      request(app).delete(path("user-a", task.id)).set("Authorization", as("user-a")),
    ]);
    expect([200, 404]).toContain(patched.status);
    expect(deleted.status).toBe(204);
    expect(await sqlAs(cluster.url, "user-a", `SELECT 1 FROM task WHERE id = $1`, [task.id])).toHaveLength(0);
  }
});

test("the statements write UTC whatever the session's time zone (as Prisma does): timestamps are the real time", async () => {
  const client = new Client({ connectionString: verifiedUrl(cluster.url) });
  await client.connect();
  try {
    await client.query(`SET TIME ZONE 'Pacific/Kiritimati'`); // UTC+14: any local-time slip shows
    // This client is the test's own: row-level security needs the user for the whole session.
    await client.query(`SELECT set_config('app.user_id', 'user-a', false)`);
    const id = randomUUID();
    const inserted = await insertTask(client, "user-a", id, "zoned", 1_000_000);
    const updated = await updateTask(client, "user-a", id, { done: true });
    for (const stamp of [inserted?.createdAt ?? "", inserted?.updatedAt ?? "", updated?.updatedAt ?? ""]) {
      expect(Math.abs(Date.parse(stamp) - Date.now())).toBeLessThan(5 * 60_000);
    }
  } finally {
    await client.end();
  }
});
