// The bench users, each with one live session and their tasks, written with plain SQL (the api
// only ever reads them here).
import { insertUser, sqlAs, verifiedUrl } from "@authbridge/testing/sql";
import { Client } from "pg";

export const TASKS_PER_USER = 50;
/** The large-list user: page cost must not grow with this. */
export const LARGE_LIST_TASKS = 10_000;

/** The one session seed() gives each user: what the bench's tokens carry as `sid`. */
export const sessionOf = (userId: string) => `${userId}-session`;

export interface SeedUser {
  id: string;
  tasks: number;
}

export async function seed(url: string, users: readonly SeedUser[]): Promise<void> {
  const client = new Client({ connectionString: verifiedUrl(url) });
  await client.connect();
  try {
    for (const { id, tasks } of users) {
      await insertUser(client, { id, name: id, sessionId: sessionOf(id) });
      // Distinct timestamps, so "newest first" is a real sort, as in production. As the user:
      // row-level security on task holds even the owner to the user it sets.
      await sqlAs(
        client,
        id,
        `INSERT INTO task (id, "userId", title, done, "createdAt", "updatedAt")
         SELECT gen_random_uuid()::text, $1, 'task ' || n, n % 3 = 0, now() - n * interval '1 minute', now()
         FROM generate_series(1, $2::int) AS n`,
        [id, tasks],
      );
    }
    await client.query("ANALYZE");
  } finally {
    await client.end();
  }
}
