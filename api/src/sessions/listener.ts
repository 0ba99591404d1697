// One dedicated PostgreSQL connection per api process that LISTENs for "session ended"
// notifications (sent by the trigger of migration 20261201120000_session_revocation). Not from
// the pool: LISTEN belongs to one session-level connection for as long as it lives. While it is
// not listening the registry is told to distrust its memory; it reconnects with backoff.
//
// A LISTEN that succeeded proves nothing about what will be heard: the link may have died without a
// word, or the URL may lead to another database (or a pooler) where nobody ever notifies. So the
// channel is trusted only after a notification of our own, sent through the pool (where revocations
// are committed too), has come back on this connection: before the first trust, and again every
// echo interval. PostgreSQL delivers a listener's notifications in commit order, so an echo heard
// also means every revocation committed before it was heard. An echo that does not come back in
// time ends the connection, which distrusts memory until a new one has heard its own echo.
//
// While the api is idle (IDLE_AFTER_SECONDS without a request) the listener lets go of its
// connection and sends no echo, so nothing reaches PostgreSQL and Neon may suspend; memory is
// distrusted meanwhile (sessions are read per request), and the first request resumes it.
import { randomUUID } from "node:crypto";
import { assertEncrypted, codeOf, connectionConfig, isTransactionPooler } from "@authbridge/postgres";
import { Client, type Notification } from "pg";
import type { Logger } from "pino";

/** The NOTIFY channel; the migration's trigger function names the same one. */
export const SESSION_ENDED_CHANNEL = "authbridge_session_ended";
/** Where each api process's nonces travel; every listener hears every process's, and keeps its own. */
export const ECHO_CHANNEL = "authbridge_listener_echo";

const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 5_000;

export interface ListenerState {
  listening: boolean;
  /** When the current state (listening or not) began, ISO 8601. */
  since: string;
  /** Times LISTEN was re-established after the connection was lost. */
  reconnects: number;
}

export interface ListenerOptions {
  url: string;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  logger: Logger;
  /** Sends `pg_notify(channel, payload)` through the pool, not through the listener's connection. */
  notify(channel: string, payload: string): Promise<unknown>;
  /** Time from one echo heard to sending the next. */
  echoIntervalMs: number;
  /** How long an echo may take to come back before the channel is distrusted. */
  echoTimeoutMs: number;
  onEnded(sessionId: string): void;
  onListening(): void;
  onLost(): void;
}

export interface SessionListener {
  state(): ListenerState;
  /** Idle: the connection is let go and memory distrusted; nothing is sent until resume(). */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export function startSessionListener(options: ListenerOptions): SessionListener {
  const log = options.logger.child({ component: "session-listener" });
  let state: ListenerState = { listening: false, since: new Date().toISOString(), reconnects: 0 };
  let client: Client | undefined;
  let everListened = false;
  let failures = 0;
  let closed = false;
  let paused = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let echoTimer: NodeJS.Timeout | undefined;
  // Nonces sent and not yet heard back, each with what to do when it is.
  const awaited = new Map<string, () => void>();

  const setListening = (listening: boolean) => {
    state = { ...state, listening, since: new Date().toISOString() };
  };

  const lost = (from: Client, err?: Error) => {
    if (client !== from) return;
    client = undefined;
    clearTimeout(echoTimer);
    from.end().catch(() => undefined);
    if (state.listening) {
      setListening(false);
      log.warn({ error: err?.message, code: codeOf(err) }, "session listener lost: checking sessions in the database per request");
    }
    options.onLost();
    retryLater();
  };

  const retryLater = () => {
    if (closed || paused) return;
    // Full jitter, so several api processes do not reconnect in step.
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** failures);
    failures++;
    retryTimer = setTimeout(connect, Math.round(ceiling / 2 + (Math.random() * ceiling) / 2));
  };

  const cannotListen = (err: unknown) => {
    // The first failure in a row, then about once a minute (at the 5 s backoff ceiling).
    if (failures % 12 === 0) {
      log.warn(
        { error: err instanceof Error ? err.message : String(err), code: codeOf(err), failures: failures + 1 },
        "session listener cannot listen",
      );
    }
  };

  /** Null once our own nonce came back on `from`; otherwise why it did not. */
  const echo = (from: Client): Promise<string | null> => {
    const nonce = randomUUID();
    return new Promise((resolve) => {
      const settle = (problem: string | null) => {
        clearTimeout(timer);
        awaited.delete(nonce);
        resolve(problem);
      };
      const timer = setTimeout(
        () =>
          settle(
            `its own notification did not come back within ${options.echoTimeoutMs} ms (is API_DIRECT_URL the database API_DATABASE_URL names?)`,
          ),
        options.echoTimeoutMs,
      );
      awaited.set(nonce, () => settle(client === from ? null : "connection replaced"));
      options
        .notify(ECHO_CHANNEL, nonce)
        .catch((err: unknown) => settle(`cannot send its notification: ${err instanceof Error ? err.message : String(err)}`));
    });
  };

  const echoLater = (from: Client) => {
    echoTimer = setTimeout(() => {
      void echo(from).then((problem) => {
        if (client !== from) return;
        if (problem) lost(from, new Error(problem));
        else echoLater(from);
      });
    }, options.echoIntervalMs);
    echoTimer.unref();
  };

  const connect = () => {
    if (closed || paused) return;
    let next: Client;
    try {
      // Reads sslrootcert and friends from disk: a missing file throws here, not in connect().
      next = new Client(connectionConfig({ ...options, applicationName: "authbridge-api-listener" }));
    } catch (err) {
      cannotListen(err);
      retryLater();
      return;
    }
    client = next;
    next.on("error", (err) => lost(next, err));
    next.on("end", () => lost(next));
    next.on("notification", (message: Notification) => {
      if (!message.payload) return;
      if (message.channel === SESSION_ENDED_CHANNEL) options.onEnded(message.payload);
      else if (message.channel === ECHO_CHANNEL) awaited.get(message.payload)?.();
    });
    void (async () => {
      try {
        await next.connect();
        assertEncrypted(next);
        await next.query(`LISTEN ${SESSION_ENDED_CHANNEL}; LISTEN ${ECHO_CHANNEL}`);
        const problem = await echo(next);
        if (problem) throw new Error(problem);
      } catch (err) {
        if (client === next) cannotListen(err);
        lost(next, err instanceof Error ? err : undefined);
        return;
      }
      if (client !== next) return;
      failures = 0;
      if (everListened) state = { ...state, reconnects: state.reconnects + 1 };
      everListened = true;
      setListening(true);
      // Trusted only from here: whatever ended before this LISTEN was never announced to us.
      options.onListening();
      log.info({ reconnects: state.reconnects }, "session listener listening");
      echoLater(next);
    })();
  };

  const pooler = isTransactionPooler(options.url);
  if (pooler) {
    // Listening there would look fine and hear nothing, so memory would be trusted wrongly:
    // never listen, and every request reads its session row.
    log.warn(
      "the session listener's URL is a transaction pooler, where LISTEN hears nothing: set API_DIRECT_URL; checking sessions in the database per request",
    );
  } else {
    connect();
  }
  return {
    state: () => state,
    pause: () => {
      if (closed || paused) return;
      paused = true;
      clearTimeout(retryTimer);
      clearTimeout(echoTimer);
      const current = client;
      client = undefined;
      if (state.listening) setListening(false);
      options.onLost();
      log.info("idle: session listener disconnected; sessions are read per request until the next one resumes it");
      current?.end().catch(() => undefined);
    },
    resume: () => {
      if (closed || !paused) return;
      paused = false;
      failures = 0;
      if (!pooler) connect();
    },
    close: async () => {
      closed = true;
      clearTimeout(retryTimer);
      clearTimeout(echoTimer);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
