// One dedicated PostgreSQL connection per api process that LISTENs for "session ended"
// notifications (sent by the trigger of migration 20261201120000_session_revocation). Not from
// the pool: LISTEN belongs to one session-level connection for as long as it lives. While it is
// not listening the registry is told to distrust its memory; it reconnects with backoff.
import { assertEncrypted, codeOf, connectionConfig, isTransactionPooler } from "@authbridge/db-rules";
import { Client, type Notification } from "pg";
import type { Logger } from "pino";

/** The NOTIFY channel; the migration's trigger function names the same one. */
export const SESSION_ENDED_CHANNEL = "authbridge_session_ended";

const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 5_000;
/**
 * A link that dies without a word (no RST) would leave us "listening" to nothing: a ping bounds
 * how long that can go unnoticed (this interval plus the query timeout).
 */
const PING_INTERVAL_MS = 10_000;

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
  onEnded(sessionId: string): void;
  onListening(): void;
  onLost(): void;
}

export interface SessionListener {
  state(): ListenerState;
  close(): Promise<void>;
}

export function startSessionListener(options: ListenerOptions): SessionListener {
  const log = options.logger.child({ component: "session-listener" });
  let state: ListenerState = { listening: false, since: new Date().toISOString(), reconnects: 0 };
  let client: Client | undefined;
  let everListened = false;
  let failures = 0;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let pingTimer: NodeJS.Timeout | undefined;

  const setListening = (listening: boolean) => {
    state = { ...state, listening, since: new Date().toISOString() };
  };

  const lost = (from: Client, err?: Error) => {
    if (client !== from) return;
    client = undefined;
    clearInterval(pingTimer);
    from.end().catch(() => undefined);
    if (state.listening) {
      setListening(false);
      log.warn({ error: err?.message, code: codeOf(err) }, "session listener lost: checking sessions in the database per request");
    }
    options.onLost();
    retryLater();
  };

  const retryLater = () => {
    if (closed) return;
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

  const connect = () => {
    if (closed) return;
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
      if (message.channel === SESSION_ENDED_CHANNEL && message.payload) options.onEnded(message.payload);
    });
    void (async () => {
      try {
        await next.connect();
        assertEncrypted(next);
        await next.query(`LISTEN ${SESSION_ENDED_CHANNEL}`);
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
      pingTimer = setInterval(() => {
        next.query("SELECT 1").catch((err: unknown) => lost(next, err instanceof Error ? err : undefined));
      }, PING_INTERVAL_MS);
      pingTimer.unref();
    })();
  };

  if (isTransactionPooler(options.url)) {
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
    close: async () => {
      closed = true;
      clearTimeout(retryTimer);
      clearInterval(pingTimer);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
