import "server-only";
import { ConfigError, getConfig } from "../config";
import { getAuth, tokenKeyFingerprint } from "./auth";
import { log } from "./log";

export function startUp(): void {
  try {
    getConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  // Builds Better Auth now, so a wrong option fails the start, not the first sign-in.
  getAuth();
  const config = getConfig();
  log.info("web starting", {
    keyFingerprint: tokenKeyFingerprint(),
    issuer: config.issuer,
    audience: config.audience,
    tokenTtlSeconds: config.tokenTtlSeconds,
    rateLimit: config.production,
  });
}
