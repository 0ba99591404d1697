import "server-only";
import { randomBytes } from "node:crypto";
import type { Config } from "../config";

/** Unpredictable and new on every request: a nonce an attacker can guess allows their script. */
export function newNonce(): string {
  return randomBytes(16).toString("base64");
}

/**
 * What `next dev` needs on top of the production policy, found by loading pages in Chromium
 * under `next dev` (web/test/dev.test.ts) and never sent by a production build:
 * - 'unsafe-eval': React rebuilds server components' call stacks with eval in development.
 * - style-src-elem 'unsafe-inline': the dev tools (the indicator, the error overlay) render
 *   `<style>` elements into their shadow root without the nonce; a nonce in the same directive
 *   would make the browser ignore 'unsafe-inline', so elements get their own directive.
 *   Style attributes stay under style-src (nonce only): the dev tools do not use them.
 */
const DEVELOPMENT_ONLY = { script: " 'unsafe-eval'", styleElements: "style-src-elem 'self' 'unsafe-inline'" };

/**
 * Next reads the nonce back from this header (on the request) and puts it on its own scripts and
 * styles, so the page must be rendered per request (the root layout waits for the connection).
 * 'strict-dynamic' lets those scripts load the chunks they need without listing them.
 */
export function contentSecurityPolicy(nonce: string, config: Pick<Config, "audience" | "production">): string {
  const development = !config.production;
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? DEVELOPMENT_ONLY.script : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    ...(development ? [DEVELOPMENT_ONLY.styleElements] : []),
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
