// Which sessions are alive, known in memory so that a request costs no database query in steady
// state. A session id (`sid`) seen for the first time is looked up once (its row: not expired, the
// token's user); the answer is kept until the session ends. The database tells us when one ends
// (sessions/listener.ts); while nobody is listening for that, memory is not trusted and every
// request looks its session up.
import type { SessionRow } from "../db/users";
import type { AuthFailure } from "../http/errors";

/** Reads one session row by id; throws what the database threw when it cannot answer (the error handler recognises an outage). */
export type SessionLookup = (sessionId: string) => Promise<SessionRow | null>;

export type SessionVerdict = { ok: true } | { ok: false; failure: AuthFailure };

export interface SessionStats {
  /** Whether sessions in memory are trusted (the listener is listening). */
  trusted: boolean;
  /** Alive sessions held in memory. */
  cached: number;
  /** Session rows read from the database (first sight, expiry, or every request while not trusted). */
  lookups: number;
  /** "session ended" notifications applied. */
  revocationsApplied: number;
}

export interface SessionRegistry {
  /** Synchronous when memory answers (the steady state); a promise when the database is asked. */
  check(sessionId: string, userId: string): SessionVerdict | Promise<SessionVerdict>;
  /** The database said this session ended. */
  ended(sessionId: string): void;
  /** Notifications flow from now on: start from an empty memory (any missed while away are lost). */
  trust(): void;
  /** Notifications may be missed from now on: forget, and ask the database on every request. */
  distrust(): void;
  stats(): SessionStats;
}

export interface RegistryOptions {
  lookup: SessionLookup;
  /** Entries of each in-memory set (alive, ended); the oldest goes first. */
  maxEntries: number;
  now?: () => number;
}

const ALIVE: SessionVerdict = { ok: true };
const refuse = (reason: string, description: string): SessionVerdict => ({ ok: false, failure: { reason, description } });
const SESSION_ENDED = refuse("session row gone or reported ended", "session ended");
const SESSION_EXPIRED = refuse("session expiresAt has passed", "session expired");
// Another user's session id under this subject: a token the web never issues.
const OTHER_USER = refuse("sid belongs to another user than sub", "invalid token");

/** A Map that forgets its oldest entry past `max` (insertion order is Map's iteration order). */
class Bounded<V> extends Map<string, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(key: string, value: V): this {
    this.delete(key);
    if (this.size >= this.max) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}

export function createSessionRegistry(options: RegistryOptions): SessionRegistry {
  const now = options.now ?? Date.now;
  const alive = new Bounded<SessionRow>(options.maxEntries);
  // Ended sessions never come back (ids are random, rows are never re-created): remembering them
  // keeps a replayed revoked token from costing a query each time.
  const endedIds = new Bounded<true>(options.maxEntries);
  // A read belongs to the epoch it was issued in: only a later request of that same epoch may join
  // it, and only a read issued in the current trusted epoch may fill memory. A read issued before
  // trust was lost may predate a revocation nobody heard.
  const inFlight = new Map<string, { epoch: number; row: Promise<SessionRow | null> }>();
  let trusted = false;
  // Bumped whenever trust changes: a lookup that started under another epoch must not fill memory.
  let epoch = 0;
  let lookups = 0;
  let revocationsApplied = 0;

  const read = (sessionId: string): Promise<SessionRow | null> => {
    lookups++;
    return options.lookup(sessionId);
  };

  // Concurrent first sights of one session share a query, but only while trusted and only within
  // one epoch: in fallback every request must read the row after it arrived.
  const readShared = (sessionId: string, issuedIn: number): Promise<SessionRow | null> => {
    const pending = inFlight.get(sessionId);
    if (pending?.epoch === issuedIn) return pending.row;
    const entry = {
      epoch: issuedIn,
      row: read(sessionId).finally(() => {
        if (inFlight.get(sessionId) === entry) inFlight.delete(sessionId);
      }),
    };
    inFlight.set(sessionId, entry);
    return entry.row;
  };

  const verdictOf = (row: SessionRow, userId: string): SessionVerdict => {
    if (row.userId !== userId) return OTHER_USER;
    return now() < row.expiresAtMs ? ALIVE : SESSION_EXPIRED;
  };

  const lookUp = async (sessionId: string, userId: string): Promise<SessionVerdict> => {
    const issuedIn = epoch;
    const wasTrusted = trusted;
    const row = await (wasTrusted ? readShared(sessionId, issuedIn) : read(sessionId));
    // A notification that arrived while the row was being read wins over what the read saw.
    if (!row || endedIds.has(sessionId)) {
      endedIds.set(sessionId, true);
      alive.delete(sessionId);
      return SESSION_ENDED;
    }
    const verdict = verdictOf(row, userId);
    if (wasTrusted && trusted && issuedIn === epoch && now() < row.expiresAtMs) alive.set(sessionId, row);
    return verdict;
  };

  return {
    check(sessionId, userId) {
      if (endedIds.has(sessionId)) return SESSION_ENDED;
      if (trusted) {
        const row = alive.get(sessionId);
        // Past its cached expiry the row is read again: the web may have extended the session.
        if (row && now() < row.expiresAtMs) return verdictOf(row, userId);
        if (row) alive.delete(sessionId);
      }
      return lookUp(sessionId, userId);
    },
    ended(sessionId) {
      revocationsApplied++;
      alive.delete(sessionId);
      endedIds.set(sessionId, true);
    },
    trust() {
      alive.clear();
      epoch++;
      trusted = true;
    },
    distrust() {
      alive.clear();
      epoch++;
      trusted = false;
    },
    stats: () => ({ trusted, cached: alive.size, lookups, revocationsApplied }),
  };
}
