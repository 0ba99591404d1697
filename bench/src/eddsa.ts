// ACCESS_TOKEN_ALG=EdDSA in the bench: the built api started in that mode (no secret) against a
// JWKS served here with the test kit's public key, its tokens minted by the kit's Ed25519 signer
// (the `auth-only-eddsa` case); and the api's own EdDSA verification in-process, uncached and
// cached, beside one bare Ed25519 verify (rows of the `verify` case, beside HS256's).
import { createPublicKey, verify as ed25519Verify } from "node:crypto";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createLogger } from "@authbridge/service-kit";
import { KIT_KEY, contractClaims, signEdDSA } from "@authbridge/testing/tokens";
import { programs } from "@authbridge/testing/processes";
import { repoRoot } from "@authbridge/testing/pg";
import { type StartedApi, fromApiDist, startServer } from "./apiProcess";
import type { BenchUser } from "./cases";
import { sessionOf } from "./seed";
import { TOKEN_TTL_SECONDS } from "./tokens";
import { type OpsResult, measure } from "./verify";

type JwksModule = typeof import("../../api/src/auth/jwks");
type VerifierModule = typeof import("../../api/src/auth/tokenVerifier");
type RuntimeModule = typeof import("../../api/src/runtime");

/** The web's part, reduced to its JWKS: the kit's public key, as Better Auth publishes one. */
export async function startJwks(): Promise<{ url: string; close: () => Promise<void> }> {
  const body = JSON.stringify({ keys: [KIT_KEY.publicJwk] });
  const server: Server = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(body));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/auth/jwks`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The api as startApi starts it, but in EdDSA mode: no BETTER_AUTH_SECRET at all, keys from `jwksUrl`. */
export async function startEdDSAApi(options: {
  webOrigin: string;
  port: number;
  operatorPort: number;
  databaseUrl: string;
  jwksUrl: string;
}): Promise<StartedApi> {
  const origin = `http://127.0.0.1:${options.port}`;
  const server = await startServer({
    label: "the EdDSA api",
    args: [programs.api],
    cwd: path.join(repoRoot, "api"),
    origin,
    env: {
      NODE_ENV: "development",
      BENCH: "1",
      JWT_TTL_SECONDS: String(TOKEN_TTL_SECONDS),
      LOG_LEVEL: "warn",
      API_WORKERS: "1",
      ACCESS_TOKEN_ALG: "EdDSA",
      JWKS_URL: options.jwksUrl,
      BETTER_AUTH_URL: options.webOrigin,
      API_URL: origin,
      API_PORT: String(options.port),
      API_OPERATOR_PORT: String(options.operatorPort),
      API_DATABASE_URL: options.databaseUrl,
    },
  });
  return { ...server, operatorOrigin: `http://127.0.0.1:${options.operatorPort}` };
}

/** EdDSA tokens of the kit's key for one server's audience. */
export function eddsaUsers(ids: readonly string[], issuer: string, audience: string): BenchUser[] {
  return ids.map((id) => ({ id, token: signEdDSA(contractClaims({ issuer, audience }, { id, sessionId: sessionOf(id) }, TOKEN_TTL_SECONDS)).token }));
}

/** The api's compiled EdDSA verifier (api/dist) on a JWKS served here; `hmacOpsPerSec` is the verify case's floor. */
export async function runVerifyEdDSA(options: { issuer: string; audience: string; seconds: number; hmacOpsPerSec: number }): Promise<OpsResult[]> {
  const { createJwksKeySource } = fromApiDist(path.join("auth", "jwks")) as JwksModule;
  const { createTokenVerifier } = fromApiDist(path.join("auth", "tokenVerifier")) as VerifierModule;
  const { TOKEN_CACHE_SIZE } = fromApiDist("runtime") as RuntimeModule;
  const jwks = await startJwks();
  const silent = createLogger("bench", "silent");
  const source = createJwksKeySource({ url: jwks.url, cooldownMs: 5_000, maxAgeMs: 3_600_000, logger: silent });
  try {
    await source.ready();
    const verifier = (cacheSize: number) =>
      createTokenVerifier({
        jwks: source,
        issuer: options.issuer,
        audience: options.audience,
        clockToleranceSeconds: 5,
        ttlSeconds: TOKEN_TTL_SECONDS,
        cacheSize,
      });
    const cached = verifier(TOKEN_CACHE_SIZE);
    const uncached = verifier(0);
    const { token, signingInput } = signEdDSA(
      contractClaims(options, { id: "bench-user-a", sessionId: sessionOf("bench-user-a") }, TOKEN_TTL_SECONDS),
    );
    const input = Buffer.from(signingInput);
    const signature = Buffer.from(token.slice(signingInput.length + 1), "base64url");
    const publicKey = createPublicKey(KIT_KEY.privateKey);
    const raw = [
      {
        name: "Ed25519 verify (node:crypto, the EdDSA floor)",
        opsPerSec: measure(options.seconds, () => ed25519Verify(null, input, publicKey, signature)),
      },
      { name: "verify EdDSA, no cache (node:crypto)", opsPerSec: measure(options.seconds, () => uncached.verify(token).ok) },
      { name: `verify EdDSA, cache hit (${TOKEN_CACHE_SIZE} entries)`, opsPerSec: measure(options.seconds, () => cached.verify(token).ok) },
    ];
    return raw.map((r) => ({ ...r, usPerOp: 1e6 / r.opsPerSec, vsHmac: options.hmacOpsPerSec / r.opsPerSec }));
  } finally {
    source.stop();
    await jwks.close();
  }
}
