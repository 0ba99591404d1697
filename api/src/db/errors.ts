// What the routes see when the database fails them: one error type, answered with 503.
import { codeOf } from "@authbridge/db-rules";
import { Prisma } from "../generated/prisma/client";
import { HttpError } from "../http/errors";
import { UserGoneError } from "../services/errors";

export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
  /** A short, host-free label of what went wrong, for the logs. */
  readonly kind: string;
  constructor(cause: unknown) {
    super("database unavailable", { cause });
    this.kind = kindOf(cause);
  }
}

function kindOf(err: unknown): string {
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    const adapter = (err.meta as { driverAdapterError?: { cause?: { kind?: unknown } } } | undefined)?.driverAdapterError;
    const kind = adapter?.cause?.kind;
    return typeof kind === "string" ? `${err.code}:${kind}` : err.code;
  }
  if (err instanceof Error) return codeOf(err) ?? (err.name === "Error" ? err.message.slice(0, 60) : err.name);
  return "unknown";
}

export function isPrismaError(err: unknown, code: string): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === code;
}

/**
 * Runs one database operation. Anything it throws, short of a bug in how we call Prisma, means
 * the database could not serve us (down, hung, connection killed, not encrypted): the caller
 * gets a 503 it can retry, never a 500 and never a crash.
 */
export async function withDatabase<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    if (err instanceof Prisma.PrismaClientValidationError || err instanceof HttpError || err instanceof UserGoneError) throw err;
    throw new DatabaseUnavailableError(err);
  }
}
