// envalid validators shared by the services' config.ts. Every message they throw is an InvalidValue
// in our own words, never the value.
import { type IntegerRange, tlsUrlProblem } from "@authbridge/postgres";
import { isIPv4 } from "node:net";
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

/** A host name that can only mean this machine: localhost (and *.localhost), 127.0.0.0/8, ::1. */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "[::1]" || (isIPv4(host) && host.startsWith("127."));
}

/**
 * httpUrl over TLS: an https URL, or plain http on a loopback host only (a browser on the same
 * machine). What a production service's public URL must be: over plain http its cookies cannot be
 * `Secure` and HSTS cannot apply.
 */
export const secureHttpUrl = makeValidator((input) => {
  const url = httpUrlOf(input);
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new InvalidValue("must be an https URL in production (plain http only on a loopback host: localhost, 127.0.0.0/8, [::1])");
  }
  return url.href.replace(/\/+$/, "");
});

/** A postgresql:// URL that asks for TLS (the rules of @authbridge/postgres). */
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

/** An integer variable with its range and default from one table (postgres' POOL_LIMITS). */
export const limit = (range: IntegerRange) => integer(range.min, range.max)({ default: range.default });

export const logLevel = makeValidator((input): LogLevel => {
  const level = LOG_LEVELS.find((l) => l === input);
  if (!level) throw new InvalidValue(`must be one of ${LOG_LEVELS.join(", ")}`);
  return level;
});
