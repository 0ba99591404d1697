// Per-account backoff on failed sign-ins. Better Auth limits sign-ins per client address only
// (3 per 10 s): with many addresses, an attacker could guess one account's password without end.
// Counted in the database (table sign_in_failure), so every web replica sees one count; the
// database's clock decides, not each replica's.
//
// A backoff, not a lock: an attempt during the wait is refused before the password is checked (so
// it neither counts nor tells whether it was right) and does not lengthen the wait. Someone who
// knows an address can keep its account waiting only while they keep failing, and at most
// SIGN_IN_BACKOFF.maxDelaySeconds past their last failure.
import "server-only";
import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware, isAPIError } from "better-auth/api";
import { getPrisma } from "./db";

export const SIGN_IN_BACKOFF = {
  /** Failed sign-ins an account takes before any wait. */
  freeFailures: 5,
  /** The wait after the last free failure; each further failure doubles it... */
  firstDelaySeconds: 15,
  /** ...up to 15 minutes. */
  maxDelaySeconds: 900,
  /** A count with no new failure for a day starts over (its row is deleted). A success clears it at once. */
  forgetAfterSeconds: 86_400,
} as const;

export const TOO_MANY_FAILED_SIGN_INS = "TOO_MANY_FAILED_SIGN_INS";

const PATH = "/sign-in/email";

/** How long an account waits after its `failures`-th failure in a row, in seconds. */
export function backoffSeconds(failures: number): number {
  const { freeFailures, firstDelaySeconds, maxDelaySeconds } = SIGN_IN_BACKOFF;
  if (failures < freeFailures) return 0;
  return Math.min(firstDelaySeconds * 2 ** (failures - freeFailures), maxDelaySeconds);
}

// Better Auth looks the user up by the lower-cased address: one account, one count.
const accountKey = (body: unknown): string | null => {
  const email = (body as { email?: unknown } | undefined)?.email;
  return typeof email === "string" ? email.toLowerCase() : null;
};

/** Seconds until the account may try again; 0 when it may now. */
async function waitSeconds(email: string): Promise<number> {
  const rows = await getPrisma().$queryRaw<{ failures: number; age: number }[]>`
    SELECT "failures", EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC') - "lastFailureAt")::float8 AS "age"
    FROM "sign_in_failure" WHERE "email" = ${email}`;
  const row = rows[0];
  if (!row || row.age >= SIGN_IN_BACKOFF.forgetAfterSeconds) return 0;
  return Math.max(0, Math.ceil(backoffSeconds(row.failures) - row.age));
}

/** One more failure, atomically (replicas may record at once); rows forgotten by now go in the same statement. */
async function recordFailure(email: string): Promise<void> {
  const forget = SIGN_IN_BACKOFF.forgetAfterSeconds;
  await getPrisma().$executeRaw`
    WITH "forgotten" AS (
      DELETE FROM "sign_in_failure"
      WHERE "lastFailureAt" < (now() AT TIME ZONE 'UTC') - ${forget}::int * interval '1 second' AND "email" <> ${email}
    )
    INSERT INTO "sign_in_failure" ("email", "failures", "lastFailureAt") VALUES (${email}, 1, now() AT TIME ZONE 'UTC')
    ON CONFLICT ("email") DO UPDATE SET
      "failures" = CASE
        WHEN "sign_in_failure"."lastFailureAt" < EXCLUDED."lastFailureAt" - ${forget}::int * interval '1 second' THEN 1
        ELSE "sign_in_failure"."failures" + 1
      END,
      "lastFailureAt" = EXCLUDED."lastFailureAt"`;
}

async function clearFailures(email: string): Promise<void> {
  await getPrisma().$executeRaw`DELETE FROM "sign_in_failure" WHERE "email" = ${email}`;
}

export function signInThrottle() {
  return {
    id: "sign-in-throttle",
    hooks: {
      before: [
        {
          matcher: (context) => context.path === PATH,
          handler: createAuthMiddleware(async (ctx) => {
            const email = accountKey(ctx.body);
            if (email === null) return;
            const wait = await waitSeconds(email);
            if (wait > 0) {
              throw new APIError(
                "TOO_MANY_REQUESTS",
                { code: TOO_MANY_FAILED_SIGN_INS, message: "Too many failed sign-ins for this account: try again later" },
                { "retry-after": String(wait) },
              );
            }
          }),
        },
      ],
      after: [
        {
          matcher: (context) => context.path === PATH,
          handler: createAuthMiddleware(async (ctx) => {
            const email = accountKey(ctx.body);
            if (email === null) return;
            const returned = ctx.context.returned;
            // Only a wrong email or password counts: a malformed request guesses nothing.
            if (isAPIError(returned)) {
              if (returned.statusCode === 401) await recordFailure(email);
            } else {
              await clearFailures(email);
            }
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
}
