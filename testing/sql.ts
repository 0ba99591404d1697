// One-off queries against a test database: connect, run one statement, disconnect.
import { Client, type QueryResultRow } from "pg";

/** node-postgres reads sslmode=require as verify-full and warns each time; say it outright. */
export function verifiedUrl(url: string): string {
  const u = new URL(url);
  if (u.searchParams.get("sslmode") === "require") u.searchParams.set("sslmode", "verify-full");
  return u.toString();
}

export async function sql<T extends QueryResultRow = Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: verifiedUrl(url), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}
