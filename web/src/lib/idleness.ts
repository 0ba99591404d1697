// The web's one Idleness (IDLE_AFTER_SECONDS): the proxy touches it on every request but the
// health check's, and /api/health asks it before it queries the database. Next bundles the proxy
// apart from the route handlers, so module state is not shared between them: the one instance
// lives on globalThis, which is.
import "server-only";
import { Idleness } from "@authbridge/service-kit";
import { getConfig } from "../config";

const KEY = Symbol.for("authbridge.web.idleness");
type Holder = typeof globalThis & { [KEY]?: Idleness };

export function getIdleness(): Idleness {
  const holder = globalThis as Holder;
  holder[KEY] ??= new Idleness(getConfig().idleAfterMs);
  return holder[KEY];
}

/** The health check's own path: a probe from the orchestrator is not a user. */
export const HEALTH_PATH = "/api/health";
/** Better Auth's JWKS (EdDSA): the api's periodic key refresh is not a user either. */
export const JWKS_PATH = "/api/auth/jwks";
