// The shared secret, as a lone BETTER_AUTH_SECRET or as Better Auth's versioned BETTER_AUTH_SECRETS.
// api and web read the same two variables, so they accept exactly the same values.
import { makeValidator } from "envalid";
import { InvalidValue } from "./errors";

export const MIN_SECRET_LENGTH = 32;

/** One version of the shared secret. `kid` in an API token names the version it was signed with. */
export interface SecretVersion {
  version: number;
  value: string;
}

/** A lone BETTER_AUTH_SECRET is version 1: the first rotation then writes "2:<new>,1:<old>". */
export const SINGLE_SECRET_VERSION = 1;

export const secret = makeValidator((input) => {
  if (input.length < MIN_SECRET_LENGTH) throw new InvalidValue(`must be at least ${MIN_SECRET_LENGTH} characters`);
  return input;
});

// Better Auth's own format, "<version>:<secret>,<version>:<secret>", the current secret first. Stricter
// than Better Auth on purpose: every version (not only the current) is a full-length secret, since
// each one verifies tokens, and neither a version nor a secret may appear twice.
export const secretVersions = makeValidator((input): SecretVersion[] => {
  const versions = new Set<number>();
  const values = new Set<string>();
  return input.split(",").map((raw, index) => {
    const entry = raw.trim();
    const colon = entry.indexOf(":");
    const versionText = entry.slice(0, Math.max(colon, 0)).trim();
    const value = entry.slice(colon + 1).trim();
    if (colon === -1 || !/^\d{1,9}$/.test(versionText) || value === "") {
      throw new InvalidValue(`entry ${index + 1} is not <version>:<secret> (version: a non-negative integer)`);
    }
    const version = Number(versionText);
    if (versions.has(version)) throw new InvalidValue(`lists version ${version} twice`);
    if (value.length < MIN_SECRET_LENGTH) throw new InvalidValue(`version ${version} must be at least ${MIN_SECRET_LENGTH} characters`);
    if (values.has(value)) throw new InvalidValue(`lists the same secret under two versions (version ${version})`);
    versions.add(version);
    values.add(value);
    return { version, value };
  });
});

/** Exactly one of BETTER_AUTH_SECRETS and BETTER_AUTH_SECRET must be set: what is wrong, or null. */
export function secretsProblem(env: Readonly<Record<string, string | undefined>>): string | null {
  if (env.BETTER_AUTH_SECRETS !== undefined && env.BETTER_AUTH_SECRET !== undefined) {
    return "BETTER_AUTH_SECRETS and BETTER_AUTH_SECRET are both set (keep BETTER_AUTH_SECRETS only)";
  }
  if (env.BETTER_AUTH_SECRETS === undefined && env.BETTER_AUTH_SECRET === undefined) return "BETTER_AUTH_SECRET is missing";
  return null;
}

/** The configured secrets, the current one first: the versioned list, else the lone secret as version 1. */
export function secretList(versions: SecretVersion[] | undefined, single: string | undefined): SecretVersion[] {
  return versions ?? [{ version: SINGLE_SECRET_VERSION, value: single ?? "" }];
}
