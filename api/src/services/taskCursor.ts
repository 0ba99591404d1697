// The list's opaque cursor: the (createdAt, id) of the last task of a page, as base64url JSON.
// Keyset paging on that pair is stable under concurrent inserts: a new task sorts before every
// cursor already handed out, so no page repeats or skips a row because of it.

export interface TaskPosition {
  /** ISO 8601 UTC with milliseconds, exactly as the list serialises createdAt. */
  createdAt: string;
  id: string;
}

// Bounded so a decoded cursor can never be more than a position.
const CURSOR_MAX_LENGTH = 512;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ISO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
// Ids are uuids today; anything printable and short is accepted so the format outlives that.
const ID = /^[\x21-\x7e]{1,100}$/;

export function encodeCursor(position: TaskPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id]), "utf8").toString("base64url");
}

function sameInstant(iso: string): boolean {
  const time = Date.parse(iso);
  return !Number.isNaN(time) && new Date(time).toISOString() === iso;
}

/** null when the string is not a cursor this api could have handed out. */
export function decodeCursor(cursor: string): TaskPosition | null {
  if (cursor.length > CURSOR_MAX_LENGTH || !BASE64URL.test(cursor)) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) return null;
  const [createdAt, id] = decoded as unknown[];
  // The round trip refuses dates a calendar lacks (February 30th), which PostgreSQL would reject.
  if (typeof createdAt !== "string" || !ISO_MILLIS.test(createdAt) || !sameInstant(createdAt)) return null;
  if (typeof id !== "string" || !ID.test(id)) return null;
  return { createdAt, id };
}
