// The services' own database roles for a test cluster, as `make env` makes them for the local one:
// a role per service on the owner's cluster, each with a fresh password. The migrator creates
// them (it is given these URLs as API_DATABASE_URL and WEB_DATABASE_URL) on every run.
import { randomBytes } from "node:crypto";
import { announceSecret } from "./secrets";

export const API_ROLE = "authbridge_api";
export const WEB_ROLE = "authbridge_web";

export interface ServiceUrls {
  api: string;
  web: string;
}

/** `ownerUrl` with another role and password (same host, database and TLS parameters). */
export function asRole(ownerUrl: string, role: string, password: string): string {
  const url = new URL(ownerUrl);
  url.username = role;
  url.password = password;
  return url.toString();
}

/** Fresh URLs of the api's and the web's roles on the owner's cluster; their passwords are announced. */
export function serviceUrls(ownerUrl: string): ServiceUrls {
  const password = () => {
    const value = randomBytes(16).toString("hex");
    announceSecret("db-password", value);
    return value;
  };
  return { api: asRole(ownerUrl, API_ROLE, password()), web: asRole(ownerUrl, WEB_ROLE, password()) };
}

/** The migrator's variables that create those roles. */
export function roleEnv(urls: ServiceUrls): Record<string, string> {
  return { API_DATABASE_URL: urls.api, WEB_DATABASE_URL: urls.web };
}
