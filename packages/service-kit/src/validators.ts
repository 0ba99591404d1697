// envalid validators shared by the services' config.ts. Every message they throw is an InvalidValue
// in our own words, never the value.
import { type IntegerRange, tlsUrlProblem } from "@authbridge/db-rules";
import { makeValidator } from "envalid";
import { InvalidValue } from "./errors";
import { LOG_LEVELS, type LogLevel } from "./logger";

function httpUrlOf(input: string): URL {
  const url = URL.canParse(input) ? new URL(input) : undefined;
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) throw new InvalidValue("must be an absolute http(s) URL");
  return url;
}

/** An absolute http(s) URL, reduced to its origin (scheme, host, port): what a token's iss/aud or CORS compare. */
export const origin = makeValidator((input) => httpUrlOf(input).origin);

/** An absolute http(s) URL, kept whole (path included) without a trailing slash, so paths can be appended. */
export const httpUrl = makeValidator((input) => httpUrlOf(input).href.replace(/\/+$/, ""));

/** A postgresql:// URL that asks for TLS (the rules of @authbridge/db-rules). */
export const tlsDatabaseUrl = makeValidator((input) => {
  const problem = tlsUrlProblem(input);
  if (problem) throw new InvalidValue(problem);
  return input;
});

/** Whole decimal digits (surrounding blanks allowed) from min to max. */
export const integer = (min: number, max: number) =>
  makeValidator((input) => {
    const n = Number(input);
    if (!/^\d+$/.test(input.trim()) || n < min || n > max) throw new InvalidValue(`must be an integer from ${min} to ${max}`);
    return n;
  });

/** An integer variable with its range and default from one table (db-rules' POOL_LIMITS). */
export const limit = (range: IntegerRange) => integer(range.min, range.max)({ default: range.default });

export const logLevel = makeValidator((input): LogLevel => {
  const level = LOG_LEVELS.find((l) => l === input);
  if (!level) throw new InvalidValue(`must be one of ${LOG_LEVELS.join(", ")}`);
  return level;
});
