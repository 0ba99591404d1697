// Load: two users, signed up through the real web, hammer their own task lists at the same time
// through the built api. Bounded in requests and time. Nothing may leak from one list to the
// other, nothing may fail, and every task the api acknowledged must be there afterwards.
import { record } from "./support/record";
import { type Stack, startStack } from "@authbridge/testing/stack";
import { audited } from "./support/audit";
import { sqlAs } from "@authbridge/testing/sql";
import { type Player, listOf, player, twoUserLoad } from "./support/twoUsers";
import { fetchToken, newUser } from "@authbridge/testing/auth";
import { UNLIMITED_WRITES } from "./support/writeLimit";

const WORKERS_PER_USER = 8;
const CREATES_PER_USER = 400;
/** Reads per create, and one cross-user attempt (expected 403) every CROSS_EVERY iterations. */
const READS_PER_CREATE = 2;
const CROSS_EVERY = 10;
/** Generous for a busy 2-core machine (about 12 s on an idle one); the run stops there and fails. */
const TIME_LIMIT_MS = 90_000;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack(audited({ env: UNLIMITED_WRITES }));
});

afterAll(async () => {
  await stack?.stop();
});

test(
  "two users hammer their own task lists concurrently: zero cross-user data, zero 5xx, every created task present afterwards",
  async () => {
    const players: Player[] = [];
    for (const label of ["alice", "bob"]) {
      const user = await newUser(stack.webUrl, label);
      players.push(player(label, user.id, await fetchToken(stack.webUrl, user.cookie)));
    }
    const [alice, bob] = players as [Player, Player];
    const started = Date.now();
    const tally = await twoUserLoad(stack.apiUrl, [alice, bob], {
      workersPerUser: WORKERS_PER_USER,
      createsPerUser: CREATES_PER_USER,
      readsPerCreate: READS_PER_CREATE,
      crossEvery: CROSS_EVERY,
      deadline: started + TIME_LIMIT_MS,
    });
    const elapsedMs = Date.now() - started;

    // Afterwards: each list holds exactly what its owner created (newest first), nothing else.
    for (const [me, other] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      const tasks = await listOf(stack.apiUrl, me);
      expect(new Set(tasks.map((t) => t.id))).toEqual(new Set(me.created.keys()));
      expect(tasks.map((t) => t.createdAt)).toEqual([...tasks.map((t) => t.createdAt)].sort().reverse());
      for (const id of me.seen) expect(other.created.has(id)).toBe(false);
      const [row] = await sqlAs<{ n: number }>(stack.databaseUrl, me.userId, `SELECT count(*)::int AS n FROM task WHERE "userId" = $1`, [me.userId]);
      expect(row?.n).toBe(me.created.size);
    }
    const fiveXx = tally.fiveXx.reads + tally.fiveXx.writes;
    record(
      { requests: tally.requests, failures: tally.failures.length },
      {
        users: 2,
        workersPerUser: WORKERS_PER_USER,
        created: alice.created.size + bob.created.size,
        statuses: tally.statuses,
        fiveXx,
        elapsedMs,
        requestsPerSecond: Math.round((tally.requests / elapsedMs) * 1000),
      },
    );
    expect(tally.failures.slice(0, 10)).toEqual([]);
    expect(alice.created.size).toBe(CREATES_PER_USER);
    expect(bob.created.size).toBe(CREATES_PER_USER);
    expect(fiveXx).toBe(0);
  },
  TIME_LIMIT_MS + 30_000,
);
