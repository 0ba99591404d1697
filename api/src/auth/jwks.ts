// The EdDSA key source: the web's public keys, fetched from its JWKS (Better Auth's jwt plugin,
// /api/auth/jwks) and kept in memory as KeyObjects built once. Keys are picked by `kid`; a `kid`
// this process has not seen makes it fetch again, but at most once per cooldown however many
// unknown `kid`s arrive, and a fetch that fails keeps every key already held, so the api serves on
// while the web is away. Only Ed25519 signing keys are taken; anything else in the set is skipped.
import { type KeyObject, createPublicKey } from "node:crypto";
import type { Logger } from "pino";

export interface JwksOptions {
  url: string;
  /** Least time between two fetches (the cooldown): a flood of unknown `kid`s costs one fetch per cooldown. */
  cooldownMs: number;
  /** The set is fetched again this often in the background, so a key the web retires is dropped here too. */
  maxAgeMs: number;
  logger: Logger;
  now?: () => number;
}

/** What a `kid` leads to: its key, nothing (after a fetch that did not list it either), or a fetch to wait for. */
export type KidLookup = { key: KeyObject } | { missing: true } | { pending: Promise<void> };

export interface JwksState {
  keys: number;
  /** When the set was last fetched successfully, ISO 8601. */
  fetchedAt?: string;
  /** The last fetch failed: why, in fixed words (never a body or an address). */
  failing?: string;
}

export interface JwksKeySource {
  /** `mayFetch` false: only what is held, never a fetch (a retry after one). */
  lookup(kid: string, mayFetch?: boolean): KidLookup;
  /** Resolves once at least one key is held, fetching (and retrying every cooldown) until then. */
  ready(): Promise<void>;
  state(): JwksState;
  /** Idle (IDLE_AFTER_SECONDS): no background refresh, so nothing wakes the web or its database. */
  pause(): void;
  /** A request again: refreshed now if the set is older than maxAge, then every maxAge. */
  resume(): void;
  stop(): void;
}

const FETCH_TIMEOUT_MS = 5_000;
/** A JWKS of a few keys is well under this; anything longer is not one. */
const MAX_BODY_BYTES = 64 * 1024;
const MAX_KID_LENGTH = 256;

class JwksError extends Error {}

/** The Ed25519 signing keys of a JWKS document, by `kid`. */
export function parseJwks(body: unknown): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  const list = typeof body === "object" && body !== null ? (body as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(list)) throw new JwksError("not a JWKS (no keys array)");
  for (const entry of list as unknown[]) {
    if (typeof entry !== "object" || entry === null) continue;
    const { kty, crv, x, kid, alg, use, d } = entry as Record<string, unknown>;
    // A private part in a public set is the web's mistake: never take it (nor the key) in.
    if (d !== undefined) continue;
    if (kty !== "OKP" || crv !== "Ed25519" || typeof x !== "string" || typeof kid !== "string" || kid === "" || kid.length > MAX_KID_LENGTH) continue;
    if ((alg !== undefined && alg !== "EdDSA") || (use !== undefined && use !== "sig")) continue;
    try {
      keys.set(kid, createPublicKey({ key: { kty, crv, x }, format: "jwk" }));
    } catch {
      // A malformed key is skipped like a foreign one; the rest of the set still counts.
    }
  }
  return keys;
}

async function fetchJwks(url: string): Promise<Map<string, KeyObject>> {
  let response: Response;
  try {
    // The configured origin only: a redirect (to anywhere) is a failure, not followed.
    response = await fetch(url, { redirect: "error", signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: "application/json" } });
  } catch {
    throw new JwksError("JWKS unreachable");
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new JwksError(`JWKS answered ${response.status}`);
  }
  const text = await response.text().catch(() => {
    throw new JwksError("JWKS body unreadable");
  });
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new JwksError("JWKS body too large");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new JwksError("JWKS body is not JSON");
  }
  return parseJwks(body);
}

export function createJwksKeySource(options: JwksOptions): JwksKeySource {
  const now = options.now ?? Date.now;
  const { logger } = options;
  let keys = new Map<string, KeyObject>();
  let fetchedAt: number | undefined;
  let failing: string | undefined;
  let lastAttempt = -Infinity;
  let inFlight: Promise<void> | undefined;
  let waiting: Promise<void> | undefined;
  let refreshTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  const failed = (reason: string) => {
    if (reason !== failing) logger.warn({ reason, keysKept: keys.size }, "jwks fetch failing; the keys already held still verify");
    failing = reason;
  };
  const fetched = (set: Map<string, KeyObject>) => {
    // An empty set (a web that has not made its first key yet) never replaces keys that verify.
    if (set.size === 0 && keys.size > 0) return failed("JWKS lists no Ed25519 key");
    const added = [...set.keys()].filter((kid) => !keys.has(kid));
    const dropped = [...keys.keys()].filter((kid) => !set.has(kid));
    keys = set;
    fetchedAt = now();
    if (failing || added.length > 0 || dropped.length > 0) logger.info({ kids: [...keys.keys()], added, dropped }, "jwks fetched");
    failing = undefined;
  };
  // Never rejects: a failure is logged and the keys held stay.
  const attempt = (): Promise<void> => {
    lastAttempt = now();
    const settled = fetchJwks(options.url).then(fetched, (err: unknown) => failed(err instanceof JwksError ? err.message : "JWKS fetch failed"));
    inFlight = settled.finally(() => (inFlight = undefined));
    return inFlight;
  };

  // The next fetch the cooldown allows: now when it has passed, else one shared fetch at its end.
  // Its timer keeps the process alive: an api waiting for its first key has nothing else to do.
  let waitTimer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const fetchSoon = (): Promise<void> => {
    if (inFlight) return inFlight;
    const wait = lastAttempt + options.cooldownMs - now();
    if (wait <= 0) return attempt();
    waiting ??= new Promise<void>((resolve) => {
      wake = resolve;
      waitTimer = setTimeout(() => {
        waiting = wake = undefined;
        void (inFlight ?? attempt()).then(resolve);
      }, wait);
    });
    return waiting;
  };

  let paused = false;
  const scheduleRefresh = (inMs = options.maxAgeMs) => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      void fetchSoon().finally(() => {
        if (!stopped && !paused) scheduleRefresh();
      });
    }, inMs);
    refreshTimer.unref();
  };

  return {
    lookup(kid, mayFetch = true) {
      const key = keys.get(kid);
      if (key) return { key };
      if (!mayFetch || kid.length > MAX_KID_LENGTH || stopped) return { missing: true };
      return { pending: fetchSoon() };
    },
    async ready() {
      while (keys.size === 0 && !stopped) await fetchSoon();
      if (!stopped && !paused && !refreshTimer) scheduleRefresh();
    },
    state: () => ({
      keys: keys.size,
      ...(fetchedAt !== undefined ? { fetchedAt: new Date(fetchedAt).toISOString() } : {}),
      ...(failing ? { failing } : {}),
    }),
    pause() {
      paused = true;
      clearTimeout(refreshTimer);
    },
    resume() {
      if (!paused || stopped) return;
      paused = false;
      scheduleRefresh(Math.max(0, (fetchedAt ?? 0) + options.maxAgeMs - now()));
    },
    stop() {
      stopped = true;
      clearTimeout(refreshTimer);
      clearTimeout(waitTimer);
      // Whoever waits for a fetch that will not come gets the keys held (a retry then refuses).
      wake?.();
      waiting = wake = undefined;
    },
  };
}
