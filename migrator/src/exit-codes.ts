/** The migrator's exit statuses (docs/DATABASE.md lists them). */
export const ExitCode = {
  ok: 0,
  /** A migration failed, history is inconsistent, or anything unexpected. */
  failed: 1,
  /** The environment is invalid; nothing was touched. */
  config: 2,
  /** The database did not accept a connection within MIGRATE_WAIT_SECONDS. */
  unreachable: 3,
  /** The database answered but refused TLS (or its certificate did not verify). */
  noTls: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error that ends the program with a given status and a one-line message. */
export class MigratorError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}
