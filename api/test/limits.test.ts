// What one signed-in user can make the api do: a per-user rate limit on writes (429 with
// Retry-After) and a per-user task quota held by the database itself, even under concurrent creates.
import type { Express } from "express";
import request from "supertest";
import type { Cluster } from "@authbridge/testing/pg";
import { createApp } from "../src/app";
import { type Runtime, createRuntime } from "../src/runtime";
import { migratedCluster } from "@authbridge/testing/migrator";
import { sqlAs } from "@authbridge/testing/sql";
import { type ErrorBody, captureLogger, insertUsers, tokenFor, testConfig } from "./helpers";

let cluster: Cluster;
const runtimes: Runtime[] = [];
const as = (user: string) => `Bearer ${tokenFor(user)}`;

function appWith(env: Record<string, string>): Express {
  const runtime = createRuntime(testConfig({ API_DATABASE_URL: cluster.url, ...env }), captureLogger().logger);
  runtimes.push(runtime);
  return createApp(runtime.deps);
}

const create = (app: Express, user: string, title = "a task") =>
  request(app).post(`/api/${user}/tasks`).set("Authorization", as(user)).send({ title });
const countOf = async (user: string) =>
  Number((await sqlAs(cluster.url, user, `SELECT count(*)::int AS n FROM task WHERE "userId" = $1`, [user]))[0]?.n);

beforeAll(async () => {
  cluster = await migratedCluster();
  await insertUsers(cluster.url, ["quota-a", "quota-b", "racer", "writer-a", "writer-b"]);
});
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.close()));
  await cluster?.destroy();
});

describe("TASK_QUOTA", () => {
  test("the task past the quota is refused with 409 task_quota_exceeded; another user is unaffected", async () => {
    const app = appWith({ TASK_QUOTA: "3" });
    for (let i = 0; i < 3; i++) await create(app, "quota-a").expect(201);
    const refused = await create(app, "quota-a");
    expect(refused.status).toBe(409);
    expect(refused.body as ErrorBody).toEqual({ error: { code: "task_quota_exceeded", message: "a user may keep at most 3 tasks" } });
    expect(await countOf("quota-a")).toBe(3);
    await create(app, "quota-b").expect(201);
  });

  test("concurrent creates never exceed it: 20 at once against a quota of 5 store exactly 5", async () => {
    const app = appWith({ TASK_QUOTA: "5", DB_POOL_MAX: "10" });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => create(app, "racer", `race ${i}`)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([...Array(5).fill(201), ...Array(15).fill(409)]);
    expect(await countOf("racer")).toBe(5);
  });
});

describe("WRITE_RATE_LIMIT", () => {
  test("past the limit a user's writes get 429 with Retry-After; reads and other users go on", async () => {
    const app = appWith({ WRITE_RATE_LIMIT: "3", WRITE_RATE_WINDOW_SECONDS: "60" });
    await create(app, "writer-a").expect(201);
    // A refused write counts too: the limit is on what a user sends, not on what succeeds.
    await create(app, "writer-a", "").expect(400);
    await create(app, "writer-a").expect(201);
    const limited = await create(app, "writer-a");
    expect(limited.status).toBe(429);
    expect(limited.body as ErrorBody).toEqual({ error: { code: "rate_limited", message: "too many writes, try again later" } });
    const retryAfter = Number(limited.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await countOf("writer-a")).toBe(2);
    await request(app).get("/api/writer-a/tasks").set("Authorization", as("writer-a")).expect(200);
    await create(app, "writer-b").expect(201);
  });

  test("it counts per user, after authentication: a request without a valid token is a 401, never counted", async () => {
    const app = appWith({ WRITE_RATE_LIMIT: "1" });
    for (let i = 0; i < 3; i++) await request(app).post("/api/writer-b/tasks").send({ title: "x" }).expect(401);
    await create(app, "writer-b").expect(201);
    expect((await create(app, "writer-b")).status).toBe(429);
  });
});
