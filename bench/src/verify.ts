// The verify case: the api's own compiled token verification (createTokenVerifier of
// @authbridge/api/lib), in this process, in a tight loop, beside one HMAC-SHA256 over the same
// bytes: the floor any HS256 verifier pays.
import { type KeyObject, createHmac } from "node:crypto";
import { TOKEN_CACHE_SIZE, createTokenVerifier } from "@authbridge/api/lib";
import { KID, TOKEN_TTL_SECONDS } from "./tokens";

export interface OpsResult {
  name: string;
  opsPerSec: number;
  usPerOp: number;
  /** Times the HMAC floor. */
  vsHmac: number;
}

const BATCH = 1000;

/** Runs fn in batches for `seconds` (after a quarter of that as warm-up); fn must return true. */
export function measure(seconds: number, fn: () => boolean): number {
  const run = (ms: number) => {
    let ops = 0;
    const start = process.hrtime.bigint();
    const end = start + BigInt(Math.round(ms * 1e6));
    let now = start;
    while (now < end) {
      for (let i = 0; i < BATCH; i++) if (!fn()) throw new Error("verification failed inside the benchmark loop");
      ops += BATCH;
      now = process.hrtime.bigint();
    }
    return ops / (Number(now - start) / 1e9);
  };
  run(seconds * 250);
  return run(seconds * 1000);
}

export function runVerify(options: {
  key: KeyObject;
  token: string;
  signingInput: string;
  issuer: string;
  audience: string;
  seconds: number;
}): OpsResult[] {
  const verifier = (cacheSize: number) =>
    createTokenVerifier({
      keys: new Map([[KID, { key: options.key, fingerprint: "bench" }]]),
      issuer: options.issuer,
      audience: options.audience,
      clockToleranceSeconds: 5,
      ttlSeconds: TOKEN_TTL_SECONDS,
      cacheSize,
    });
  const cached = verifier(TOKEN_CACHE_SIZE);
  const uncached = verifier(0);

  const signature = options.token.slice(options.signingInput.length + 1);
  const hmac = () => createHmac("sha256", options.key).update(options.signingInput).digest("base64url") === signature;

  const raw = [
    { name: "HMAC-SHA256 (floor)", opsPerSec: measure(options.seconds, hmac) },
    { name: "verify, no cache (jsonwebtoken)", opsPerSec: measure(options.seconds, () => uncached.verify(options.token).ok) },
    {
      name: `verify, cache hit (api default, ${TOKEN_CACHE_SIZE} entries)`,
      opsPerSec: measure(options.seconds, () => cached.verify(options.token).ok),
    },
  ];
  const floor = raw[0]?.opsPerSec ?? 1;
  return raw.map((r) => ({ ...r, usPerOp: 1e6 / r.opsPerSec, vsHmac: floor / r.opsPerSec }));
}
