// The HTTP cases, each with the check that proves the server really did the work.
import type { CaseSpec, Target } from "./load";
import type { HttpCase } from "./options";
import { TASKS_PER_USER } from "./seed";

export interface BenchUser {
  id: string;
  token: string;
}

/** One task of each bench user (by user id), for the by-id cases. */
export type TaskOf = Record<string, string>;

/** A server under test and the tokens minted for its audience. */
export interface Served {
  target: Target;
  users: BenchUser[];
}

export interface CaseTargets {
  /** The api, one worker: every case without a target of its own. */
  api: Served;
  /** The floor server (floorServer.ts): node:http + pg, the same query and token check. */
  floor: Served | null;
  /** The Express reference (expressServer.ts): Express 5, the one route, no middleware. */
  express: Served | null;
  /** The api's app with its middleware timed (layeredApi.ts). */
  layered: Served | null;
  /** The api with API_WORKERS=2. */
  twoWorkers: Served | null;
  /** The same api build on a database where row-level security on task is disabled. */
  rlsOff: Served | null;
  /** The api with ACCESS_TOKEN_ALG=EdDSA (eddsa.ts), its tokens of the kit's Ed25519 key. */
  eddsa: Served | null;
  /** The large-list user on the api, and a cursor deep into their list. */
  large: { user: BenchUser; deepCursor: string } | null;
  taskOf: TaskOf;
}

function expect(condition: boolean, what: string): void {
  if (!condition) throw new Error(`expected ${what}`);
}

const isObject = (body: unknown): body is Record<string, unknown> => typeof body === "object" && body !== null;
const bearer = (user: BenchUser) => ({ authorization: `Bearer ${user.token}` });
const tasksPath = (user: BenchUser, query = "") => `/api/${encodeURIComponent(user.id)}/tasks${query}`;

function pageCheck(lastPage: boolean) {
  return (status: number, body: unknown) =>
    expect(
      status === 200 &&
        isObject(body) &&
        Array.isArray(body.tasks) &&
        body.tasks.length === TASKS_PER_USER &&
        (lastPage ? body.nextCursor === null : typeof body.nextCursor === "string"),
      `200 with ${TASKS_PER_USER} tasks and ${lastPage ? "no" : "a"} nextCursor`,
    );
}

/** Requests alternate between the users on every connection, as two signed-in people would. */
function tasksCase(name: HttpCase, served: Served, own: boolean): CaseSpec {
  return {
    name,
    authenticated: true,
    ...(own ? { target: served.target } : {}),
    requests: served.users.map((user) => ({ path: tasksPath(user), headers: bearer(user) })),
    check: pageCheck(true),
  };
}

/** GET /api/whoami: the token check and the session check, nothing else. */
function authOnlyCase(name: HttpCase, served: Served, own: boolean): CaseSpec {
  return {
    name,
    authenticated: true,
    ...(own ? { target: served.target } : {}),
    requests: served.users.map((user) => ({ path: "/api/whoami", headers: bearer(user) })),
    check: (status, body) =>
      expect(status === 200 && isObject(body) && served.users.some((u) => u.id === body.userId), "200 { userId } of a bench user"),
  };
}

const taskPath = (user: BenchUser, taskOf: TaskOf) => `/api/${encodeURIComponent(user.id)}/tasks/${taskOf[user.id] ?? ""}`;
const oneTask = (check: (task: Record<string, unknown>) => boolean, what: string) => (status: number, body: unknown) =>
  expect(status === 200 && isObject(body) && isObject(body.task) && check(body.task), what);

/** GET one task by id: the same statement as the floor's (db/tasks.ts through services/tasks.ts). */
function byIdCase(name: HttpCase, served: Served, taskOf: TaskOf, own: boolean): CaseSpec {
  return {
    name,
    authenticated: true,
    ...(own ? { target: served.target } : {}),
    requests: served.users.map((user) => ({ path: taskPath(user, taskOf), headers: bearer(user) })),
    check: oneTask((task) => Object.values(taskOf).includes(String(task.id)), "200 { task } with the asked id"),
  };
}

/** PATCH { done: true } on one task: one UPDATE ... RETURNING per request. */
function patchCase(name: HttpCase, served: Served, taskOf: TaskOf, own: boolean): CaseSpec {
  return {
    name,
    authenticated: true,
    ...(own ? { target: served.target } : {}),
    requests: served.users.map((user) => ({
      method: "PATCH" as const,
      path: taskPath(user, taskOf),
      headers: { ...bearer(user), "content-type": "application/json" },
      body: JSON.stringify({ done: true }),
    })),
    check: oneTask((task) => task.done === true, "200 { task } with done: true"),
  };
}

export function caseSpecs(targets: CaseTargets): Partial<Record<HttpCase, CaseSpec>> {
  const { api, floor, express, layered, twoWorkers, rlsOff, eddsa, large, taskOf } = targets;
  return {
    // The ceiling: the app's own middleware (request id and log line, helmet, cors) and a route
    // that reads nothing: liveness.
    baseline: {
      name: "baseline",
      authenticated: false,
      requests: [{ path: "/livez" }],
      check: (status, body) => expect(status === 200 && isObject(body) && body.status === "pass", '200 { status: "pass" }'),
    },
    "auth-only": authOnlyCase("auth-only", api, false),
    ...(eddsa ? { "auth-only-eddsa": authOnlyCase("auth-only-eddsa", eddsa, true) } : {}),
    tasks: tasksCase("tasks", api, false),
    ...(floor ? { floor: tasksCase("floor", floor, true) } : {}),
    ...(express ? { express: tasksCase("express", express, true) } : {}),
    ...(layered ? { "tasks-layers": tasksCase("tasks-layers", layered, true) } : {}),
    ...(rlsOff ? { "tasks-rls-off": tasksCase("tasks-rls-off", rlsOff, true) } : {}),
    "task-by-id": byIdCase("task-by-id", api, taskOf, false),
    ...(floor ? { "floor-by-id": byIdCase("floor-by-id", floor, taskOf, true) } : {}),
    "task-patch": patchCase("task-patch", api, taskOf, false),
    ...(floor ? { "floor-patch": patchCase("floor-patch", floor, taskOf, true) } : {}),
    ...(twoWorkers ? { "tasks-2-workers": tasksCase("tasks-2-workers", twoWorkers, true) } : {}),
    ...(large
      ? {
          "tasks-large-first": {
            name: "tasks-large-first",
            authenticated: true,
            requests: [{ path: tasksPath(large.user), headers: bearer(large.user) }],
            check: pageCheck(false),
          },
          "tasks-large-deep": {
            name: "tasks-large-deep",
            authenticated: true,
            requests: [{ path: tasksPath(large.user, `?cursor=${large.deepCursor}`), headers: bearer(large.user) }],
            check: pageCheck(false),
          },
        }
      : {}),
    healthz: {
      name: "healthz",
      authenticated: false,
      requests: [{ path: "/healthz" }],
      check: (status, body) => expect(status === 200 && isObject(body) && body.status === "pass", '200 { status: "pass" }'),
    },
  };
}
