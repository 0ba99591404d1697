import "server-only";
import { randomBytes } from "node:crypto";
import type { Config } from "../config";

/** Unpredictable and new on every request: a nonce an attacker can guess allows their script. */
export function newNonce(): string {
  return randomBytes(16).toString("base64");
}

/**
 * Next reads the nonce back from this header (on the request) and puts it on its own scripts and
 * styles, so the page must be rendered per request (the root layout waits for the connection).
 * 'strict-dynamic' lets those scripts load the chunks they need without listing them.
 */
export function contentSecurityPolicy(nonce: string, config: Pick<Config, "audience" | "production">): string {
  const directives = [
    "default-src 'self'",
    // React rebuilds server error stacks with eval in development only.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${config.production ? "" : " 'unsafe-eval'"}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    // The dashboard calls the API from the browser; its origin is known only at run time.
    `connect-src 'self' ${config.audience}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  return directives.join("; ");
}

/** Only over https: on http the browser ignores it, and a test origin must not be pinned to TLS. */
export function strictTransportSecurity(config: Pick<Config, "baseUrl">): string | null {
  return new URL(config.baseUrl).protocol === "https:" ? "max-age=63072000; includeSubDomains" : null;
}
