// Every secret the kit makes or sees (the auth secret, database passwords, session cookies,
// tokens, passwords) is announced here, so a suite that audits logs can listen and then look for
// each one in every line the services wrote. Suites that do not audit simply do not listen.

export type SecretKind = "auth-secret" | "token-key" | "db-password" | "password" | "token" | "session-cookie";

type Listener = (kind: SecretKind, value: string) => void;

const listeners = new Set<Listener>();

/** Hears every secret announced from now on; returns the function that stops it. */
export function onSecret(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function announceSecret(kind: SecretKind, value: string): void {
  for (const listener of listeners) listener(kind, value);
}
