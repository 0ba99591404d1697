// The pool of api and web: node-postgres' Pool that survives connections the server has ended
// (Neon suspending its compute, a failover, a PgBouncer restart). Prisma (through
// @prisma/adapter-pg, which calls `query` for single statements and `connect` for transactions),
// Better Auth (through Prisma), the health probes and every other lookup use it, so they all get
// the same two behaviours:
//
// 1. A statement that fails because its connection died is run once more on a fresh connection
//    when that is safe (connectionLoss.ts says when and why).
// 2. Once one connection is seen dead, every connection opened before it is suspect: the server
//    usually ends them all at once, and the pool may not have read their notices yet. Each is
//    closed instead of handed out at its next checkout, so the retry, and the requests after it,
//    get new connections rather than the next corpse.
import { type PoolClient, type PoolConfig, type QueryConfig, type QueryResult, Pool } from "pg";
import { type ConnectionLoss, connectionLossOf, mayReplay } from "./connectionLoss";
import { codeOf } from "./errorCode";

/** Where the pool reports lost connections and retries (a pino logger fits). */
export interface PoolLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

type Statement = string | QueryConfig;
type ConnectCallback = (err: Error | undefined, client: PoolClient | undefined, done: (release?: unknown) => void) => void;

export class ResilientPool extends Pool {
  /** Statements run again after their connection died (for logs, tests and drills). */
  retries = 0;
  /** Connections seen dead: while idle, or under a statement. */
  connectionsLost = 0;
  private opened = 0;
  private readonly openedAt = new WeakMap<PoolClient, number>();
  /** Connections numbered up to this one are not handed out again. */
  private suspectUpTo = 0;

  constructor(
    config: PoolConfig,
    private readonly logger: PoolLogger,
  ) {
    super(config);
    this.on("connect", (client) => this.openedAt.set(client, ++this.opened));
    // Without a listener an idle connection's death would crash the process; pg has already
    // dropped that connection.
    this.on("error", (err) => {
      this.connectionLost();
      logger.warn({ error: err.message, code: codeOf(err) }, "idle database connection lost");
    });
  }

  override connect(): Promise<PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<PoolClient> | void {
    const checkout = this.checkout();
    if (!callback) return checkout;
    checkout.then(
      (client) => callback(undefined, client, (release) => client.release(release as Error | undefined)),
      (err: unknown) => callback(err as Error, undefined, () => undefined),
    );
  }

  /** What `query` does with one statement and its values: run it, and once more if that is safe. */
  runStatement(statement: Statement, values: unknown): Promise<QueryResult> {
    const sql = typeof statement === "string" ? statement : statement.text;
    return this.withRetry(
      (loss) => mayReplay(loss, sql),
      (client) => client.query(statement, values as unknown[] | undefined),
    );
  }

  /**
   * Work that may run twice without harm (it only reads, or its writes are idempotent by their own
   * key), on one connection of its own; run again on a fresh one if the connection died.
   */
  withReplayableConnection<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.withRetry(() => true, work);
  }

  private async withRetry<T>(replayable: (loss: ConnectionLoss) => boolean, work: (client: PoolClient) => Promise<T>): Promise<T> {
    try {
      return await this.attempt(work);
    } catch (err) {
      const loss = connectionLossOf(err);
      if (!loss || !replayable(loss)) throw err;
      this.retries++;
      this.logger.warn(
        { loss, code: codeOf(err), retries: this.retries },
        "database connection lost under a statement; retrying on a fresh connection",
      );
      return this.attempt(work);
    }
  }

  private async attempt<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.checkout();
    // A connection that ends under a statement also emits 'error' (the statement fails with it):
    // unheard, that event would crash the process.
    const heard = () => undefined;
    client.on("error", heard);
    let result: T;
    try {
      result = await work(client);
    } catch (err) {
      if (connectionLossOf(err)) this.connectionLost();
      client.removeListener("error", heard);
      // As pg's own Pool.query does: a connection whose statement failed is closed, never given
      // back (after a query timeout it may still be busy with the statement).
      client.release(err as Error);
      throw err;
    }
    client.removeListener("error", heard);
    client.release();
    return result;
  }

  private connectionLost(): void {
    this.connectionsLost++;
    this.suspectUpTo = this.opened;
  }

  private async checkout(): Promise<PoolClient> {
    // Bounded: each pass closes one connection opened before the latest loss; only another loss
    // can make more of them suspect.
    for (;;) {
      const client = await this.connectOnce();
      if ((this.openedAt.get(client) ?? 0) > this.suspectUpTo) return client;
      client.release(new Error("opened before a connection was lost; closed instead of reused"));
    }
  }

  /**
   * A new connection the server ended while it was starting up (a termination sweeping every
   * connection, a failover) is opened once more: nothing was asked of it yet. Refused connections
   * and connect timeouts are not: the database is unreachable, and waiting twice would only delay
   * the 503.
   */
  private async connectOnce(): Promise<PoolClient> {
    try {
      return await super.connect();
    } catch (err) {
      if (!connectionLossOf(err)) throw err;
      this.connectionLost();
      this.retries++;
      this.logger.warn(
        { loss: "connecting", code: codeOf(err), retries: this.retries },
        "database connection lost while opening; opening a fresh one",
      );
      return super.connect();
    }
  }
}

// `query` is replaced on the prototype rather than overridden in the class so that callers keep
// pg's overloaded types. Streams and callbacks are handed to pg as they are: a stream is consumed
// as it arrives and cannot be replayed, and neither service uses callbacks.
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the pool as `this`
const pgQuery = Pool.prototype.query as (...args: unknown[]) => unknown;
ResilientPool.prototype.query = function query(this: ResilientPool, statement: unknown, values?: unknown, callback?: unknown) {
  if (typeof callback === "function" || typeof values === "function" || !isStatement(statement)) {
    return pgQuery.call(this, statement, values, callback);
  }
  return this.runStatement(statement, values);
} as unknown as Pool["query"];

function isStatement(value: unknown): value is Statement {
  if (typeof value === "string") return true;
  const config = value as { text?: unknown; submit?: unknown } | null;
  return typeof config?.text === "string" && typeof config.submit !== "function";
}
