// The data routes against a real, migrated TLS PostgreSQL: each user sees and writes only their own rows.
import type { Express } from "express";
import request from "supertest";
import type { Cluster } from "@authbridge/testing/pg";
import { createApp } from "../src/app";
import { type Runtime, createRuntime } from "../src/runtime";
import { migratedClusterWithRoles } from "@authbridge/testing/migrator";
import { type TaskJson, captureLogger, insertUsers, tokenFor, testConfig } from "./helpers";
import { sql, sqlAs } from "@authbridge/testing/sql";

let cluster: Cluster;
let runtime: Runtime;
let app: Express;
const logs = captureLogger();
const as = (user: string) => `Bearer ${tokenFor(user)}`;

beforeAll(async () => {
  // The api as in production: its own role, never the owner's.
  const migrated = await migratedClusterWithRoles();
  cluster = migrated.cluster;
  await insertUsers(cluster.url, ["user-a", "user-b", "user-gone"]);
  runtime = createRuntime(testConfig({ API_DATABASE_URL: migrated.roles.api }), logs.logger);
  app = createApp(runtime.deps);
});
afterAll(async () => {
  await runtime?.close();
  await cluster?.destroy();
});

describe("GET /api/me", () => {
  test("the caller's id, email and name, nothing else", async () => {
    const res = await request(app).get("/api/me").set("Authorization", as("user-a"));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: "user-a", email: "user-a@example.test", name: "Name user-a" });
  });

  test("401 once the user no longer exists (the delete cascades to their sessions), for reads and writes", async () => {
    await sql(cluster.url, `DELETE FROM "user" WHERE id = 'user-gone'`);
    const me = await request(app).get("/api/me").set("Authorization", as("user-gone"));
    expect(me.status).toBe(401);
    expect(me.headers["www-authenticate"]).toContain('error_description="session ended"');
    const post = await request(app).post("/api/user-gone/tasks").set("Authorization", as("user-gone")).send({ title: "orphan" });
    expect(post.status).toBe(401);
    expect(await sqlAs(cluster.url, "user-gone", `SELECT 1 FROM task WHERE "userId" = 'user-gone'`)).toHaveLength(0);
  });
});

describe("tasks", () => {
  test("create: 201 with the task, title trimmed", async () => {
    const res = await request(app).post("/api/user-a/tasks").set("Authorization", as("user-a")).send({ title: "  buy milk  " });
    expect(res.status).toBe(201);
    expect((res.body as { task: TaskJson }).task).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      title: "buy milk",
      done: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  test("200 characters (code points, not UTF-16 units) fit; the database agrees", async () => {
    const title = "\u{1F600}".repeat(200);
    const res = await request(app).post("/api/user-a/tasks").set("Authorization", as("user-a")).send({ title });
    expect(res.status).toBe(201);
    expect((res.body as { task: TaskJson }).task.title).toBe(title);
  });

  test("list: newest first, only the caller's", async () => {
    for (const title of ["first", "second", "third"]) {
      await request(app).post("/api/user-a/tasks").set("Authorization", as("user-a")).send({ title }).expect(201);
    }
    const res = await request(app).get("/api/user-a/tasks").set("Authorization", as("user-a"));
    expect(res.status).toBe(200);
    const { tasks } = res.body as { tasks: TaskJson[] };
    expect(tasks.map((t) => t.title).slice(0, 3)).toEqual(["third", "second", "first"]);
    expect(Object.keys(tasks[0] ?? {}).sort()).toEqual(["createdAt", "done", "id", "title", "updatedAt"]);
  });

  test("user A can never read or write user B's tasks", async () => {
    await request(app).post("/api/user-b/tasks").set("Authorization", as("user-b")).send({ title: "B's secret" }).expect(201);
    const before = await sqlAs(cluster.url, "user-b", `SELECT id, title FROM task WHERE "userId" = 'user-b' ORDER BY id`);

    const listA = await request(app).get("/api/user-a/tasks").set("Authorization", as("user-a"));
    expect(JSON.stringify(listA.body)).not.toContain("B's secret");
    expect((await request(app).get("/api/user-b/tasks").set("Authorization", as("user-a"))).status).toBe(403);
    expect((await request(app).post("/api/user-b/tasks").set("Authorization", as("user-a")).send({ title: "planted" })).status).toBe(403);
    // Path tricks that must not reach B's rows either.
    for (const path of ["/api/user-b%2F../user-a/tasks", "/api/USER-B/tasks", "/api/user-b /tasks", "/api/user-a/../user-b/tasks"]) {
      const res = await request(app).get(path).set("Authorization", as("user-a"));
      expect(JSON.stringify(res.body)).not.toContain("B's secret");
    }

    expect(await sqlAs(cluster.url, "user-b", `SELECT id, title FROM task WHERE "userId" = 'user-b' ORDER BY id`)).toEqual(before);
    const listB = await request(app).get("/api/user-b/tasks").set("Authorization", as("user-b"));
    expect((listB.body as { tasks: TaskJson[] }).tasks.map((t) => t.title)).toEqual(["B's secret"]);
  });

  test("no token leaks into the logs", () => {
    const all = logs.lines.join("\n");
    expect(all).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  });
});
