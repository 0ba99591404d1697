// Load: two users, signed up through the real web, hammer their own task lists at the same time
// through the built api. Bounded in requests and time. Nothing may leak from one list to the
// other, nothing may fail, and every task the api acknowledged must be there afterwards.
import { randomUUID } from "node:crypto";
import { allTasks, call } from "./support/http";
import { record } from "./support/record";
import { type Stack, sql, startStack } from "./support/stack";
import { type User, fetchToken, signUp } from "./support/web";

const WORKERS_PER_USER = 8;
const CREATES_PER_USER = 400;
/** Reads per create, and one cross-user attempt (expected 403) every CROSS_EVERY iterations. */
const READS_PER_CREATE = 2;
const CROSS_EVERY = 10;
/** Generous for a busy 2-core machine (about 12 s on an idle one); the run stops there and fails. */
const TIME_LIMIT_MS = 90_000;

interface Task {
  id: string;
  title: string;
  createdAt: string;
}

interface Player {
  label: string;
  user: User;
  token: string;
  created: Map<string, string>;
  /** Every task id seen in this user's own list answers. */
  seen: Set<string>;
}

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ web: true });
});

afterAll(async () => {
  await stack?.stop();
});

test("two users hammer their own task lists concurrently: zero cross-user data, zero 5xx, every created task present afterwards", async () => {
  const players: Player[] = [];
  for (const label of ["alice", "bob"]) {
    const user = await signUp(stack.webUrl, label);
    players.push({ label, user, token: await fetchToken(stack.webUrl, user), created: new Map(), seen: new Set() });
  }
  const [alice, bob] = players as [Player, Player];
  const statuses: Record<string, number> = {};
  const failures: string[] = [];
  let requests = 0;
  const deadline = Date.now() + TIME_LIMIT_MS;

  const expectStatus = async (label: string, expected: number, url: string, options: Parameters<typeof call>[1]) => {
    requests++;
    const answer = await call(url, options).catch((error: unknown) => {
      failures.push(`${label}: no answer: ${String(error)}`);
      return null;
    });
    if (!answer) return null;
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    if (answer.status !== expected) failures.push(`${label}: ${answer.status} instead of ${expected}: ${answer.text.slice(0, 200)}`);
    return answer.status === expected ? answer : null;
  };

  const work = async (me: Player, other: Player, worker: number) => {
    const ownUrl = `${stack.apiUrl}/api/${me.user.id}/tasks`;
    for (let i = worker; i < CREATES_PER_USER && Date.now() < deadline; i += WORKERS_PER_USER) {
      const title = `${me.label} ${i} ${randomUUID()}`;
      const created = await expectStatus("create", 201, ownUrl, { token: me.token, body: { title } });
      const task = (created?.json as { task?: Task } | undefined)?.task;
      if (task) {
        if (task.title !== title) failures.push(`create answered another title: ${task.title}`);
        me.created.set(task.id, title);
      }
      for (let r = 0; r < READS_PER_CREATE; r++) {
        const list = await expectStatus("list", 200, ownUrl, { token: me.token });
        for (const t of (list?.json as { tasks?: Task[] } | undefined)?.tasks ?? []) {
          me.seen.add(t.id);
          if (!t.title.startsWith(`${me.label} `)) failures.push(`${me.label} saw a task titled ${t.title}`);
        }
      }
      if (i % CROSS_EVERY === 0) {
        const cross = await expectStatus("cross-user", 403, `${stack.apiUrl}/api/${other.user.id}/tasks`, { token: me.token });
        if (cross?.text.includes(other.label)) failures.push(`a 403 carried ${other.label}'s data`);
      }
    }
  };

  const started = Date.now();
  await Promise.all(
    Array.from({ length: WORKERS_PER_USER }, (_, w) => [work(alice, bob, w), work(bob, alice, w)]).flat(),
  );
  const elapsedMs = Date.now() - started;

  // Afterwards: each list holds exactly what its owner created (newest first), nothing else.
  for (const [me, other] of [[alice, bob], [bob, alice]] as const) {
    const tasks = await allTasks<Task>(stack.apiUrl, me.user.id, me.token, (url) => expectStatus("final list", 200, url, { token: me.token }));
    expect(new Set(tasks.map((t) => t.id))).toEqual(new Set(me.created.keys()));
    expect(tasks.map((t) => t.createdAt)).toEqual([...tasks.map((t) => t.createdAt)].sort().reverse());
    for (const id of me.seen) expect(other.created.has(id)).toBe(false);
    const [row] = await sql<{ n: number }>(stack.databaseUrl, `SELECT count(*)::int AS n FROM task WHERE "userId" = $1`, [me.user.id]);
    expect(row?.n).toBe(me.created.size);
  }
  const fiveXx = Object.entries(statuses).filter(([s]) => Number(s) >= 500).reduce((n, [, c]) => n + c, 0);
  record(
    { requests, failures: failures.length },
    {
      users: 2,
      workersPerUser: WORKERS_PER_USER,
      created: alice.created.size + bob.created.size,
      statuses,
      fiveXx,
      elapsedMs,
      requestsPerSecond: Math.round((requests / elapsedMs) * 1000),
    },
  );
  expect(failures.slice(0, 10)).toEqual([]);
  expect(alice.created.size).toBe(CREATES_PER_USER);
  expect(bob.created.size).toBe(CREATES_PER_USER);
  expect(fiveXx).toBe(0);
}, TIME_LIMIT_MS + 30_000);
