// When the browser replaces its API token: before it expires, so no request is ever refused for an
// expired token (and a token of a retired secret version is out of use once one lifetime has
// passed). Timed from receipt on the browser's own clock, so a skewed clock does not matter.

/** Milliseconds after receipt to fetch a new token: half its lifetime, and at most a minute before it ends. */
export function refreshAfterMs(token: string): number {
  try {
    const part = (token.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/");
    const { iat, exp } = JSON.parse(atob(part.padEnd(Math.ceil(part.length / 4) * 4, "="))) as { iat?: unknown; exp?: unknown };
    if (typeof iat !== "number" || typeof exp !== "number" || exp <= iat) return 0;
    const lifetime = exp - iat;
    return Math.max(lifetime / 2, lifetime - 60) * 1000;
  } catch {
    return 0;
  }
}
