// Wires the real parts together from a Config: one pool (every statement the api runs goes
// through it), the token verifier, the session registry and its listener, the services and the
// health probe. server.ts, the integration tests and any other host of the app (lib.ts) start from here.
import type { Logger } from "pino";
import type { AppDeps } from "./app";
import { type JwksState, createJwksKeySource } from "./auth/jwks";
import { deriveTokenKeys, fingerprints } from "./auth/tokenKey";
import { type KeySource, createTokenVerifier } from "./auth/tokenVerifier";
import type { Config } from "./config";
import { createHealthCheck, idleReport } from "./db/health";
import { createPool } from "./db/pool";
import type { ResilientPool } from "@authbridge/postgres";
import { Idleness } from "@authbridge/service-kit";
import { createTaskService } from "./services/tasks";
import { startSessionListener } from "./sessions/listener";
import { createSessionLookup } from "./sessions/lookup";
import { createSessionRegistry } from "./sessions/registry";
import { createUserService } from "./services/users";

/** Verified tokens kept (at most 1024 x 4 KB = 4 MB; typically about 0.5 KB each). */
export const TOKEN_CACHE_SIZE = 1024;
/** Alive (and ended) sessions kept in memory: about 100 bytes each, so at most a few MB. */
export const SESSION_CACHE_SIZE = 20_000;

export interface Runtime {
  deps: AppDeps;
  pool: ResilientPool;
  /** The current version's key fingerprint (the one the web signs with). */
  keyFingerprint: string;
  /** One fingerprint per configured version, by `kid`. */
  keyFingerprints: Record<string, string>;
  /** Resolves once tokens can be verified: at once for HS256; for EdDSA once the JWKS gave a key. */
  ready(): Promise<void>;
  /** EdDSA: the keys held and the last fetch. */
  jwks?: () => JwksState;
  close(): Promise<void>;
}

export function createRuntime(config: Config, logger: Logger): Runtime {
  // HS256: the keys derived from the secrets. EdDSA: the web's JWKS, and no secret at all.
  const keys = deriveTokenKeys(config.secrets);
  const jwks = config.accessTokenAlg === "EdDSA" ? createJwksKeySource({ ...config.jwks, logger }) : undefined;
  const keySource: KeySource = jwks ? { jwks } : { keys };
  const pool = createPool({
    url: config.databaseUrl,
    connectTimeoutMs: config.dbConnectTimeoutMs,
    queryTimeoutMs: config.dbQueryTimeoutMs,
    // This process's share: the workers together stay within DB_POOL_MAX.
    max: Math.floor(config.dbPoolMax / config.workers),
    logger,
  });
  const verifier = createTokenVerifier({
    ...keySource,
    issuer: config.webOrigin,
    audience: config.apiOrigin,
    clockToleranceSeconds: config.clockToleranceSeconds,
    ttlSeconds: config.tokenTtlSeconds,
    cacheSize: TOKEN_CACHE_SIZE,
  });
  const sessions = createSessionRegistry({ lookup: createSessionLookup(pool), maxEntries: SESSION_CACHE_SIZE });
  const listener = startSessionListener({
    url: config.listenUrl,
    connectTimeoutMs: config.dbConnectTimeoutMs,
    queryTimeoutMs: config.dbQueryTimeoutMs,
    logger,
    notify: (channel, payload) => pool.query("SELECT pg_notify($1, $2)", [channel, payload]),
    echoIntervalMs: config.sessionEchoIntervalMs,
    echoTimeoutMs: config.sessionEchoTimeoutMs,
    onEnded: (sessionId) => sessions.ended(sessionId),
    onListening: () => sessions.trust(),
    onLost: () => sessions.distrust(),
  });
  // Quiet for IDLE_AFTER_SECONDS: the listener lets go and health stops probing; a request resumes both.
  const idleness = new Idleness(config.idleAfterMs);
  idleness.onChange((idle) => {
    if (idle) {
      listener.pause();
      jwks?.pause();
    } else {
      listener.resume();
      jwks?.resume();
    }
  });
  const probe = createHealthCheck(pool, config.healthzTimeoutMs, logger);
  return {
    deps: {
      webOrigin: config.webOrigin,
      verifier,
      sessions,
      listener: () => listener.state(),
      tasks: createTaskService(pool, { quota: config.taskQuota }),
      writeRateLimit: { limit: config.writeRateLimit, windowSeconds: config.writeRateWindowSeconds },
      users: createUserService(pool),
      health: () => (idleness.isIdle() ? Promise.resolve(idleReport(idleness.state().since)) : probe()),
      idleness,
      logger,
    },
    pool,
    keyFingerprint: [...keys.values()][0]?.fingerprint ?? "",
    keyFingerprints: fingerprints(keys),
    ready: () => jwks?.ready() ?? Promise.resolve(),
    ...(jwks ? { jwks: () => jwks.state() } : {}),
    close: async () => {
      jwks?.stop();
      idleness.stop();
      await listener.close();
      await pool.end();
    },
  };
}
