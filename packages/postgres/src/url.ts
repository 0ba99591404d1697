// What a database URL must say, and what can be read from it without printing it.

/** The sslmodes that encrypt. With no sslmode at all node-postgres does not even try TLS. */
export const TLS_SSL_MODES: readonly string[] = ["require", "verify-ca", "verify-full"];

export function isPostgresUrl(url: URL): boolean {
  return url.protocol === "postgresql:" || url.protocol === "postgres:";
}

/**
 * Why a database URL from the environment is refused, in words that never repeat the value (they
 * reach the refusal line); null when it is a postgresql:// URL that asks for TLS.
 */
export function tlsUrlProblem(input: string): string | null {
  const url = URL.canParse(input) ? new URL(input) : undefined;
  if (!url || !isPostgresUrl(url)) return "must be a postgresql:// URL";
  if (!TLS_SSL_MODES.includes(url.searchParams.get("sslmode") ?? "")) {
    return `must carry sslmode=${TLS_SSL_MODES.join("|")} (PostgreSQL is reached over TLS only)`;
  }
  return null;
}

/**
 * node-postgres 8 already treats sslmode=require|verify-ca as verify-full (and warns on every
 * connection); pg 9 will give them libpq's weaker meaning. Saying verify-full pins today's
 * behaviour: encrypted and the certificate checked. An explicit `uselibpqcompat=true` is the
 * operator's choice, kept.
 */
export function pinnedTlsUrl(url: string): string {
  const parsed = new URL(url);
  const mode = parsed.searchParams.get("sslmode");
  if (parsed.searchParams.get("uselibpqcompat") === "true" || (mode !== "require" && mode !== "verify-ca")) return url;
  parsed.searchParams.set("sslmode", "verify-full");
  return parsed.toString();
}

/**
 * Neon's pooled host (`-pooler`) is PgBouncer in transaction mode: LISTEN there succeeds but no
 * notification ever reaches the client. No other pooler can be told from its URL.
 */
export function isTransactionPooler(url: string): boolean {
  return new URL(url).hostname.includes("-pooler.");
}

/** Host kind for a start-up line: enough to spot a wrong .env, without printing the host. */
export function databaseHostKind(url: string): "local" | "neon" | "other" {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  if (host.endsWith(".neon.tech")) return "neon";
  if (host === "localhost" || host === "::1" || host.startsWith("127.")) return "local";
  // A single-label name is a Compose service (the local db container).
  if (!host.includes(".") && !host.includes(":")) return "local";
  return "other";
}
