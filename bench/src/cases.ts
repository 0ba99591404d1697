// The four HTTP cases of issue 7, each with the check that proves the api really did the work.
import type { CaseSpec } from "./load";
import type { HttpCase } from "./options";
import { TASKS_PER_USER } from "./seed";

export interface BenchUser {
  id: string;
  token: string;
}

function expect(condition: boolean, what: string): void {
  if (!condition) throw new Error(`expected ${what}`);
}

const isObject = (body: unknown): body is Record<string, unknown> => typeof body === "object" && body !== null;
const bearer = (user: BenchUser) => ({ authorization: `Bearer ${user.token}` });

/** Requests alternate between the users on every connection, as two signed-in people would. */
export function caseSpecs(users: readonly BenchUser[]): Record<HttpCase, CaseSpec> {
  return {
    baseline: {
      name: "baseline",
      authenticated: false,
      requests: [{ path: "/bench/baseline" }],
      check: (status, body) => expect(status === 200 && isObject(body) && body.ok === true, "200 { ok: true }"),
    },
    "auth-only": {
      name: "auth-only",
      authenticated: true,
      requests: users.map((user) => ({ path: "/api/whoami", headers: bearer(user) })),
      check: (status, body) =>
        expect(status === 200 && isObject(body) && users.some((u) => u.id === body.userId), "200 { userId } of a bench user"),
    },
    tasks: {
      name: "tasks",
      authenticated: true,
      requests: users.map((user) => ({ path: `/api/${encodeURIComponent(user.id)}/tasks`, headers: bearer(user) })),
      check: (status, body) =>
        expect(
          status === 200 && isObject(body) && Array.isArray(body.tasks) && body.tasks.length === TASKS_PER_USER,
          `200 with ${TASKS_PER_USER} tasks`,
        ),
    },
    healthz: {
      name: "healthz",
      authenticated: false,
      requests: [{ path: "/healthz" }],
      check: (status, body) => expect(status === 200 && isObject(body) && body.status === "pass", '200 { status: "pass" }'),
    },
  };
}
