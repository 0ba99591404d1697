/**
 * The `code` of a database or socket error: a SQLSTATE from the server ("57P01"), or Node's
 * ("ECONNREFUSED", "ERR_TLS_CERT_ALTNAME_INVALID"). Undefined when there is none.
 */
export function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
