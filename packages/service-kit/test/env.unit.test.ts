// The environment rules as the services use them: envalid's cleanEnv with these validators, and the
// one refusal line built from its errors. No message may carry the value it refuses.
import { type ValidatorSpec, cleanEnv, str } from "envalid";
import {
  ConfigError,
  InvalidValue,
  SINGLE_SECRET_VERSION,
  httpUrl,
  integer,
  limit,
  logLevel,
  origin,
  readEnvironment,
  refusal,
  secret,
  secretList,
  secretVersions,
  secretsProblem,
  secureHttpUrl,
  setVariables,
  tlsDatabaseUrl,
} from "../src";

const LONG_A = "a-secret-that-is-long-enough-0123456789abcdef";
const LONG_B = "b-secret-that-is-long-enough-9876543210zyxw";

/** What cleanEnv makes of one variable: its value, or the refusal line the service would print. */
function read<T>(validator: ValidatorSpec<T>, value: string | undefined): T | string {
  const env = setVariables({ X: value });
  try {
    const clean = cleanEnv(
      env,
      { X: validator },
      {
        reporter: ({ errors }) => {
          if (Object.keys(errors).length > 0) throw new ConfigError(refusal("svc", errors, null));
        },
      },
    );
    return clean.X;
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
}

describe("secret and secretVersions", () => {
  test("a lone secret of 32 characters or more; shorter is refused without the value", () => {
    expect(read(secret(), LONG_A)).toBe(LONG_A);
    expect(read(secret(), "x".repeat(31))).toBe("svc: refusing to start: X must be at least 32 characters");
  });

  test.each([
    [
      `2:${LONG_B},1:${LONG_A}`,
      [
        { version: 2, value: LONG_B },
        { version: 1, value: LONG_A },
      ],
    ],
    [` 7 : ${LONG_A} `, [{ version: 7, value: LONG_A }]],
  ])("%s parses, the current version first", (input, expected) => {
    expect(read(secretVersions(), input)).toEqual(expected);
  });

  test.each([
    [`2:${LONG_B},${LONG_A}`, "X entry 2 is not <version>:<secret> (version: a non-negative integer)"],
    [`-1:${LONG_A}`, "X entry 1 is not <version>:<secret> (version: a non-negative integer)"],
    ["3:", "X entry 1 is not <version>:<secret> (version: a non-negative integer)"],
    [`1:${LONG_B},1:${LONG_A}`, "X lists version 1 twice"],
    [`2:${LONG_B},1:short-secret`, "X version 1 must be at least 32 characters"],
    [`2:${LONG_A},1:${LONG_A}`, "X lists the same secret under two versions (version 1)"],
  ])("%s is refused: %s", (input, reason) => {
    const line = read(secretVersions(), input);
    expect(line).toBe(`svc: refusing to start: ${reason}`);
    expect(line).not.toContain(LONG_A);
    expect(line).not.toContain("short-secret");
  });

  test("secretsProblem: exactly one of BETTER_AUTH_SECRETS and BETTER_AUTH_SECRET", () => {
    expect(secretsProblem({ BETTER_AUTH_SECRET: LONG_A })).toBeNull();
    expect(secretsProblem({ BETTER_AUTH_SECRETS: `1:${LONG_A}` })).toBeNull();
    expect(secretsProblem({})).toBe("BETTER_AUTH_SECRET is missing");
    expect(secretsProblem({ BETTER_AUTH_SECRETS: `1:${LONG_A}`, BETTER_AUTH_SECRET: LONG_A })).toBe(
      "BETTER_AUTH_SECRETS and BETTER_AUTH_SECRET are both set (keep BETTER_AUTH_SECRETS only)",
    );
  });

  test("secretList: the versioned list as it is, else the lone secret as version 1", () => {
    const versions = [{ version: 2, value: LONG_B }];
    expect(secretList(versions, undefined)).toBe(versions);
    expect(secretList(undefined, LONG_A)).toEqual([{ version: SINGLE_SECRET_VERSION, value: LONG_A }]);
    expect(SINGLE_SECRET_VERSION).toBe(1);
  });
});

describe("URLs", () => {
  test("origin keeps scheme, host and port; httpUrl keeps the path without trailing slashes", () => {
    expect(read(origin(), "https://app.example.com:8443/some/path/?q=1")).toBe("https://app.example.com:8443");
    expect(read(httpUrl(), "https://api.example.com/v1//")).toBe("https://api.example.com/v1");
    expect(read(httpUrl(), "http://127.0.0.1:8000/")).toBe("http://127.0.0.1:8000");
  });

  test.each(["api:8000-secret", "ftp://host/x", "//host/x", "not a url secret"])("%s is not an absolute http(s) URL", (input) => {
    for (const validator of [origin(), httpUrl()]) {
      expect(read(validator, input)).toBe("svc: refusing to start: X must be an absolute http(s) URL");
    }
  });

  test.each([
    "https://app.example.com/",
    "http://localhost:3000",
    "http://app.localhost",
    "http://127.0.0.1:3000",
    "http://127.1.2.3",
    "http://[::1]:3000/x/",
  ])("secureHttpUrl accepts %s (https, or plain http on a loopback host)", (input) => {
    expect(read(secureHttpUrl(), input)).toBe(input.replace(/\/+$/, ""));
  });

  test.each([
    "http://app.example.com",
    "http://10.0.0.1:3000",
    "http://localhost.example.com",
    "http://128.0.0.1",
    "http://[::2]",
    "http://0.0.0.0:3000",
  ])("secureHttpUrl refuses plain http on %s, which is not loopback, without showing it", (input) => {
    const line = read<string>(secureHttpUrl(), input);
    expect(line).toBe(
      "svc: refusing to start: X must be an https URL in production (plain http only on a loopback host: localhost, 127.0.0.0/8, [::1])",
    );
    expect(line).not.toContain(new URL(input).host);
  });

  test("secureHttpUrl still refuses what is not an http(s) URL at all", () => {
    expect(read(secureHttpUrl(), "ftp://localhost/x")).toBe("svc: refusing to start: X must be an absolute http(s) URL");
  });

  test("tlsDatabaseUrl: a postgresql:// URL asking for TLS; the refusal never shows the password", () => {
    const url = "postgresql://u:pw-never-shown@db:5432/app?sslmode=verify-full";
    expect(read(tlsDatabaseUrl(), url)).toBe(url);
    const plain = read<string>(tlsDatabaseUrl(), url.replace("verify-full", "disable"));
    expect(plain).toMatch(/^svc: refusing to start: X must carry sslmode=require\|verify-ca\|verify-full/);
    expect(plain).not.toContain("pw-never-shown");
    expect(read(tlsDatabaseUrl(), "mysql://u:pw-never-shown@db/app")).toBe("svc: refusing to start: X must be a postgresql:// URL");
  });
});

describe("integer, limit, logLevel", () => {
  test("integer: whole digits within the range, blanks around them allowed", () => {
    expect(read(integer(1, 10)(), "7")).toBe(7);
    expect(read(integer(1, 10)(), " 10 ")).toBe(10);
    for (const bad of ["0", "11", "1.5", "-3", "1e1", "seven", "0x5"]) {
      expect(read(integer(1, 10)(), bad)).toBe("svc: refusing to start: X must be an integer from 1 to 10");
    }
  });

  test("limit: the range's default when unset (an empty value included)", () => {
    const range = { min: 1, max: 100, default: 10 };
    expect(read(limit(range), undefined)).toBe(10);
    expect(read(limit(range), "")).toBe(10);
    expect(read(limit(range), "100")).toBe(100);
    expect(read(limit(range), "101")).toBe("svc: refusing to start: X must be an integer from 1 to 100");
  });

  test("logLevel: pino's names and silent, nothing else", () => {
    expect(read(logLevel(), "debug")).toBe("debug");
    expect(read(logLevel(), "silent")).toBe("silent");
    expect(read(logLevel(), "verbose")).toBe("svc: refusing to start: X must be one of trace, debug, info, warn, error, fatal, silent");
  });
});

describe("the refusal line", () => {
  test("the problem first, then each variable: missing, our own words, or just 'is invalid'", () => {
    const foreign = new Error("a library's message that may quote the value-secret");
    const line = refusal(
      "api",
      { A: new (class extends Error {})("ignored"), B: new InvalidValue("must be short"), C: foreign },
      "BETTER_AUTH_SECRET is missing",
    );
    expect(line).toBe("api: refusing to start: BETTER_AUTH_SECRET is missing; A is invalid; B must be short; C is invalid");
    expect(line).not.toContain("value-secret");
  });

  test("a required variable left unset or empty is missing", () => {
    expect(read(str(), undefined)).toBe("svc: refusing to start: X is missing");
    expect(read(str(), "")).toBe("svc: refusing to start: X is missing");
  });

  test("setVariables drops unset and empty values, keeps everything else as it is", () => {
    expect(setVariables({ A: "", B: undefined, C: " ", D: "0", E: "x" })).toEqual({ C: " ", D: "0", E: "x" });
  });
});

describe("readEnvironment", () => {
  const SVC_DATABASE_URL = "postgresql://u:pw-never-shown@db:5432/app?sslmode=require";
  // Each service names its own database URL (its own role): none is shared.
  const own = {
    databaseUrl: ["SVC_DATABASE_URL", tlsDatabaseUrl()],
    own: ["OWN", integer(1, 9)({ default: 3 })],
    unset: ["UNSET", integer(1, 9)({ default: undefined })],
  } as const;

  test("the shared settings with their rules and defaults, and the service's own, by config field", () => {
    const config = readEnvironment("svc", { BETTER_AUTH_SECRET: LONG_A, SVC_DATABASE_URL, LOG_LEVEL: "", OWN: "5", OTHER: "x" }, own);
    expect(config).toStrictEqual({
      secrets: [{ version: SINGLE_SECRET_VERSION, value: LONG_A }],
      dbConnectTimeoutMs: 10_000,
      dbQueryTimeoutMs: 5000,
      dbPoolMax: 10,
      logLevel: "info",
      idleAfterMs: 300_000,
      tokenTtlSeconds: 900,
      databaseUrl: SVC_DATABASE_URL,
      own: 5,
      unset: undefined,
    });
  });

  test("the versioned secrets as one list, the current first; the quiet period in ms", () => {
    const source = { BETTER_AUTH_SECRETS: `2:${LONG_B},1:${LONG_A}`, SVC_DATABASE_URL, IDLE_AFTER_SECONDS: "0", DB_POOL_MAX: "7" };
    const config = readEnvironment("svc", source, own);
    expect(config.secrets).toEqual([
      { version: 2, value: LONG_B },
      { version: 1, value: LONG_A },
    ]);
    expect([config.idleAfterMs, config.dbPoolMax]).toEqual([0, 7]);
  });

  test("every problem in one line: the secrets problem first, then each variable, no value", () => {
    const source = { SVC_DATABASE_URL: SVC_DATABASE_URL.replace("require", "disable"), DB_POOL_MAX: "1000", OWN: "pw-never-shown" };
    let message = "";
    try {
      readEnvironment("svc", source, own);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as ConfigError).message;
    }
    expect(message).toBe(
      "svc: refusing to start: BETTER_AUTH_SECRET is missing; DB_POOL_MAX must be an integer from 1 to 100; " +
        "SVC_DATABASE_URL must carry sslmode=require|verify-ca|verify-full (PostgreSQL is reached over TLS only); " +
        "OWN must be an integer from 1 to 9",
    );
    expect(message).not.toContain("pw-never-shown");
  });

  test("only the source given counts, never process.env", () => {
    const before = process.env.SVC_DATABASE_URL;
    process.env.SVC_DATABASE_URL = SVC_DATABASE_URL;
    try {
      expect(() => readEnvironment("svc", { BETTER_AUTH_SECRET: LONG_A }, own)).toThrow("svc: refusing to start: SVC_DATABASE_URL is missing");
    } finally {
      if (before === undefined) delete process.env.SVC_DATABASE_URL;
      else process.env.SVC_DATABASE_URL = before;
    }
  });
});
