// The session registry on its own: what it answers from memory, when it asks the database, and
// the races between a lookup and a "session ended" notification. The database here is a table in
// memory with a query counter; revocation.test.ts runs it against PostgreSQL.
import type { SessionRow } from "../src/db/users";
import { type SessionVerdict, createSessionRegistry } from "../src/sessions/registry";

const HOUR = 3_600_000;

function setup(rows: Record<string, SessionRow>) {
  let clock = 1_000_000;
  const queries: string[] = [];
  let gate: Promise<void> | undefined;
  const registry = createSessionRegistry({
    maxEntries: 4,
    now: () => clock,
    lookup: async (sessionId) => {
      queries.push(sessionId);
      await gate;
      return rows[sessionId] ?? null;
    },
  });
  return {
    registry,
    queries,
    advance: (ms: number) => (clock += ms),
    now: () => clock,
    hold: () => {
      let release: () => void = () => undefined;
      gate = new Promise<void>((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

const ok: SessionVerdict = { ok: true };
const description = async (verdict: SessionVerdict | Promise<SessionVerdict>) => {
  const v = await verdict;
  return v.ok ? "ok" : v.failure.description;
};

test("trusted: the first sight reads the row once, later checks come from memory synchronously", async () => {
  const t = setup({ s1: { userId: "a", expiresAtMs: 1_000_000 + HOUR } });
  t.registry.trust();
  expect(await t.registry.check("s1", "a")).toEqual(ok);
  const again = t.registry.check("s1", "a");
  expect(again).not.toBeInstanceOf(Promise);
  expect(again).toEqual(ok);
  expect(t.queries).toEqual(["s1"]);
  expect(t.registry.stats()).toMatchObject({ trusted: true, cached: 1, lookups: 1 });
});

test("concurrent first sights share one query", async () => {
  const t = setup({ s1: { userId: "a", expiresAtMs: 1_000_000 + HOUR } });
  t.registry.trust();
  const verdicts = await Promise.all(Array.from({ length: 10 }, () => Promise.resolve(t.registry.check("s1", "a"))));
  expect(verdicts).toEqual(Array(10).fill(ok));
  expect(t.queries).toEqual(["s1"]);
});

test("an ended session is refused from memory at once, and never looked up again", async () => {
  const t = setup({ s1: { userId: "a", expiresAtMs: 1_000_000 + HOUR } });
  t.registry.trust();
  await t.registry.check("s1", "a");
  t.registry.ended("s1");
  expect(await description(t.registry.check("s1", "a"))).toBe("session ended");
  expect(await description(t.registry.check("s1", "a"))).toBe("session ended");
  expect(t.queries).toEqual(["s1"]);
  expect(t.registry.stats()).toMatchObject({ revocationsApplied: 1, cached: 0 });
});

test("no row: session ended, remembered so a replayed token costs no further query", async () => {
  const t = setup({});
  t.registry.trust();
  expect(await description(t.registry.check("gone", "a"))).toBe("session ended");
  expect(await description(t.registry.check("gone", "a"))).toBe("session ended");
  expect(t.queries).toEqual(["gone"]);
});

test("another user's session id under this subject is refused, from the database and from memory", async () => {
  const t = setup({ sb: { userId: "b", expiresAtMs: 1_000_000 + HOUR } });
  t.registry.trust();
  expect(await description(t.registry.check("sb", "a"))).toBe("invalid token");
  expect(await t.registry.check("sb", "b")).toEqual(ok);
  expect(await description(t.registry.check("sb", "a"))).toBe("invalid token");
});

test("an expired row is refused; a cached session is read again once its expiry passes (the web may have extended it)", async () => {
  const rows: Record<string, SessionRow> = { old: { userId: "a", expiresAtMs: 1_000_000 - 1 }, s1: { userId: "a", expiresAtMs: 1_000_000 + 1000 } };
  const t = setup(rows);
  t.registry.trust();
  expect(await description(t.registry.check("old", "a"))).toBe("session expired");
  expect(await t.registry.check("s1", "a")).toEqual(ok);
  t.advance(1000);
  expect(await description(t.registry.check("s1", "a"))).toBe("session expired");
  rows.s1 = { userId: "a", expiresAtMs: t.now() + HOUR };
  expect(await t.registry.check("s1", "a")).toEqual(ok);
  expect(t.queries).toEqual(["old", "s1", "s1", "s1"]);
});

test("a notification that arrives while the row is being read wins over what the read saw", async () => {
  const t = setup({ s1: { userId: "a", expiresAtMs: 1_000_000 + HOUR } });
  t.registry.trust();
  const release = t.hold();
  const pending = t.registry.check("s1", "a");
  t.registry.ended("s1");
  release();
  expect(await description(pending)).toBe("session ended");
  expect(t.registry.stats().cached).toBe(0);
});

test("not trusted: every check reads the row, and nothing is kept", async () => {
  const rows: Record<string, SessionRow> = { s1: { userId: "a", expiresAtMs: 1_000_000 + HOUR } };
  const t = setup(rows);
  expect(await t.registry.check("s1", "a")).toEqual(ok);
  expect(await t.registry.check("s1", "a")).toEqual(ok);
  expect(t.queries).toEqual(["s1", "s1"]);
  expect(t.registry.stats()).toMatchObject({ trusted: false, cached: 0 });
  delete rows.s1;
  expect(await description(t.registry.check("s1", "a"))).toBe("session ended");
});

test("losing trust forgets memory; a lookup begun before trust changed does not fill it", async () => {
  const rows: Record<string, SessionRow> = { s1: { userId: "a", expiresAtMs: 1_000_000 + HOUR }, s2: { userId: "a", expiresAtMs: 1_000_000 + HOUR } };
  const t = setup(rows);
  t.registry.trust();
  await t.registry.check("s1", "a");
  t.registry.distrust();
  expect(t.registry.stats().cached).toBe(0);
  // Ended while nobody listened: the row is gone, and the check sees it.
  delete rows.s1;
  expect(await description(t.registry.check("s1", "a"))).toBe("session ended");
  // A read that straddles the return of trust answers its request but is not remembered.
  const release = t.hold();
  const pending = t.registry.check("s2", "a");
  t.registry.trust();
  release();
  expect(await pending).toEqual(ok);
  expect(t.registry.stats().cached).toBe(0);
  await t.registry.check("s2", "a");
  expect(t.registry.stats().cached).toBe(1);
});

test("memory is bounded: the oldest sessions are forgotten and simply read again", async () => {
  const rows = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`s${i}`, { userId: "a", expiresAtMs: 1_000_000 + HOUR }]));
  const t = setup(rows);
  t.registry.trust();
  for (let i = 0; i < 6; i++) await t.registry.check(`s${i}`, "a");
  expect(t.registry.stats().cached).toBe(4);
  expect(await t.registry.check("s0", "a")).toEqual(ok);
  expect(t.queries.filter((q) => q === "s0")).toHaveLength(2);
});

test("a lookup that fails (database down) reaches the caller, and nothing is remembered", async () => {
  const registry = createSessionRegistry({
    maxEntries: 4,
    lookup: () => Promise.reject(new Error("database unavailable")),
  });
  registry.trust();
  await expect(registry.check("s1", "a")).rejects.toThrow("database unavailable");
  expect(registry.stats().cached).toBe(0);
});

test("a first-sight read issued before trust was lost never fills memory, nor answers a request of the new epoch", async () => {
  // Each query reads the table when it is issued (its snapshot) and completes when the test says.
  const rows: Record<string, SessionRow> = { s1: { userId: "a", expiresAtMs: 1_000_000 + HOUR } };
  const pending: { snapshot: SessionRow | null; complete: () => void }[] = [];
  const registry = createSessionRegistry({
    maxEntries: 4,
    now: () => 1_000_000,
    lookup: (sessionId) => {
      const snapshot = rows[sessionId] ?? null;
      return new Promise((resolve) => pending.push({ snapshot, complete: () => resolve(snapshot) }));
    },
  });
  registry.trust();
  const r1 = registry.check("s1", "a"); // Q1: s1 alive in its snapshot
  registry.distrust(); // the listener drops
  delete rows.s1; // signed out; the notification is lost, nobody listens
  registry.trust(); // the listener is back
  const r2 = registry.check("s1", "a"); // must not join Q1
  expect(pending.map((q) => (q.snapshot ? "alive" : "gone"))).toEqual(["alive", "gone"]);
  for (const query of pending) query.complete();
  expect(await r1).toEqual(ok); // answered from a snapshot taken before the sign-out
  expect(await description(r2)).toBe("session ended");
  expect(registry.stats().cached).toBe(0);
  expect(await description(registry.check("s1", "a"))).toBe("session ended");
});
