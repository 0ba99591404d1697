// ACCESS_TOKEN_ALG=EdDSA in the bench: a JWKS served here with the test kit's public key (the
// built api is started against it by startApi with `jwksUrl`, no secret), its tokens minted by the kit's Ed25519 signer
// (the `auth-only-eddsa` case); and the api's own EdDSA verification in-process, uncached and
// cached, beside one bare Ed25519 verify (rows of the `verify` case, beside HS256's).
import { createPublicKey, verify as ed25519Verify } from "node:crypto";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger } from "@authbridge/service-kit";
import { KIT_KEY, contractClaims, signEdDSA } from "@authbridge/testing/tokens";
import { TOKEN_CACHE_SIZE, createJwksKeySource, createTokenVerifier } from "@authbridge/api/lib";
import type { BenchUser } from "./cases";
import { sessionOf } from "./seed";
import { TOKEN_TTL_SECONDS } from "./tokens";
import { type OpsResult, measure } from "./verify";

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

/** EdDSA tokens of the kit's key for one server's audience. */
export function eddsaUsers(ids: readonly string[], issuer: string, audience: string): BenchUser[] {
  return ids.map((id) => ({ id, token: signEdDSA(contractClaims({ issuer, audience }, { id, sessionId: sessionOf(id) }, TOKEN_TTL_SECONDS)).token }));
}

/** The api's EdDSA verifier (its public library) on a JWKS served here; `hmacOpsPerSec` is the verify case's floor. */
export async function runVerifyEdDSA(options: { issuer: string; audience: string; seconds: number; hmacOpsPerSec: number }): Promise<OpsResult[]> {
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
