// node-postgres settings for the migration URL, with TLS spelled out instead of left to pg's
// sslmode parsing: pg 8.x reads sslmode=require as verify-full (and warns that v9 will switch to
// libpq's encrypt-only meaning). The migrator always verifies: against sslrootcert when the URL
// names one (the local cluster's own CA), else against the system store (Neon).
import { readFileSync } from "node:fs";
import type { ClientConfig } from "pg";
import { ExitCode, MigratorError } from "../exit-codes";

const tlsParameters = ["sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword", "sslaccept", "uselibpqcompat", "sslnegotiation"];

export function clientConfig(url: URL, urlVariable: string): ClientConfig {
  const withoutTls = new URL(url.href);
  for (const name of tlsParameters) withoutTls.searchParams.delete(name);
  const rootCert = url.searchParams.get("sslrootcert");
  let ca: string | undefined;
  if (rootCert) {
    try {
      ca = readFileSync(rootCert, "utf8");
    } catch {
      throw new MigratorError(`${urlVariable} names an sslrootcert file that cannot be read`, ExitCode.config);
    }
  }
  return {
    connectionString: withoutTls.href,
    ssl: ca ? { ca, rejectUnauthorized: true } : { rejectUnauthorized: true },
    application_name: "authbridge-migrator",
  };
}

/** host:port of a URL, for messages that must not carry credentials. */
export function describeServer(url: URL): string {
  return `${url.hostname}:${url.port || "5432"}`;
}
