// Drill: Neon suspending its compute (or a failover, or a PgBouncer restart) over and over under
// load. While two users hammer their task lists through the built api, every api connection is
// terminated server-side every 2 s for 20 s. No read may answer 5xx and no acknowledged write may
// be lost; the terminations and the api's retries are counted and printed.
import { mint } from "@authbridge/testing/tokens";
import { record } from "./support/record";
import { type Stack, startStack } from "@authbridge/testing/stack";
import { insertUser } from "@authbridge/testing/sql";
import { audited } from "./support/audit";
import { sql, sqlAs } from "@authbridge/testing/sql";
import { type Player, player, twoUserLoad } from "./support/twoUsers";
import { UNLIMITED_WRITES } from "./support/writeLimit";

const DRILL_MS = 20_000;
const EVERY_MS = 2_000;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack(audited({ webs: 0, env: UNLIMITED_WRITES }));
});

afterAll(async () => {
  await stack?.stop();
});

async function newPlayer(label: string): Promise<Player> {
  const holder = await insertUser(stack.databaseUrl, { name: label });
  return player(label, holder.id, mint(stack, holder));
}

/** Lines the api logged whose message contains `text`. */
function logged(text: string): number {
  return stack.api.lines.filter((line) => {
    try {
      return String((JSON.parse(line) as { msg?: unknown }).msg).includes(text);
    } catch {
      return false;
    }
  }).length;
}

test(
  "Neon suspend drill: every api connection terminated every 2 s for 20 s under two-user load: 0 reads 5xx, 0 acknowledged writes lost",
  async () => {
    const players: [Player, Player] = [await newPlayer("alice"), await newPlayer("bob")];
    let drilling = true;
    const started = Date.now();
    const load = twoUserLoad(stack.apiUrl, players, {
      workersPerUser: 4,
      createsPerUser: 100_000,
      readsPerCreate: 2,
      crossEvery: 10,
      deadline: started + DRILL_MS + 30_000,
      stop: () => !drilling,
    });

    const rounds: number[] = [];
    for (let tick = 1; tick * EVERY_MS <= DRILL_MS; tick++) {
      const due = started + tick * EVERY_MS;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      const ended = await sql<{ ended: boolean }>(
        stack.databaseUrl,
        `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = 'authbridge-api'`,
      );
      rounds.push(ended.filter((r) => r.ended).length);
    }
    drilling = false;
    const tally = await load;
    const elapsedMs = Date.now() - started;

    // Every write the api acknowledged is stored, for its owner.
    let lost = 0;
    for (const me of players) {
      const rows = await sqlAs<{ id: string }>(stack.databaseUrl, me.userId, `SELECT id FROM task WHERE "userId" = $1`, [me.userId]);
      const stored = new Set(rows.map((r) => r.id));
      lost += [...me.created.keys()].filter((id) => !stored.has(id)).length;
    }
    const terminations = rounds.reduce((a, b) => a + b, 0);
    const retries = logged("retrying on a fresh connection") + logged("opening a fresh one");
    const idleLosses = logged("idle database connection lost");
    const acknowledged = players[0].created.size + players[1].created.size;
    // A write may be refused (503) when its fate is unknown; any other failure breaks the drill.
    const otherFailures = tally.failures.filter((f) => !f.startsWith("create: 503"));
    console.log(
      `Neon suspend drill: ${rounds.length} rounds in ${elapsedMs} ms, ${terminations} connections terminated (${rounds.join(", ")}), ` +
        `${retries} statements retried, ${idleLosses} idle connections seen lost; ${tally.requests} requests ` +
        `${JSON.stringify(tally.statuses)}, 5xx reads ${tally.fiveXx.reads}, 5xx writes ${tally.fiveXx.writes}, ` +
        `${acknowledged} writes acknowledged, ${lost} lost`,
    );
    record(
      { requests: tally.requests, faults: terminations, failures: otherFailures.length + lost + tally.fiveXx.reads },
      {
        rounds: rounds.length,
        terminations,
        retries,
        idleLosses,
        statuses: tally.statuses,
        fiveXxReads: tally.fiveXx.reads,
        fiveXxWrites: tally.fiveXx.writes,
        acknowledged,
        lost,
      },
    );
    expect(rounds).toHaveLength(DRILL_MS / EVERY_MS);
    expect(terminations).toBeGreaterThanOrEqual(rounds.length);
    expect(retries).toBeGreaterThan(0);
    expect(acknowledged).toBeGreaterThan(0);
    expect(tally.fiveXx.reads).toBe(0);
    expect(lost).toBe(0);
    expect(otherFailures.slice(0, 10)).toEqual([]);
    expect(stack.api.running()).toBe(true);
  },
  DRILL_MS + 60_000,
);
