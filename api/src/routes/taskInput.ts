// Validation of a new task's body: { "title": string of 1..200 characters, one line }.
import { invalid } from "../http/errors";

export const TITLE_MAX = 200;
// Control characters (NUL among them, which PostgreSQL text cannot hold) have no place in a title.
const CONTROL = /[\u0000-\u001f\u007f]/;
// JSON may escape half a surrogate pair ("\udfff"); UTF-8 cannot carry it, so the driver would
// silently store U+FFFD instead and answer 201 with a title the client never sent.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function parseNewTask(body: unknown): { title: string } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid({ body: "must be a JSON object" });
  const title = (body as { title?: unknown }).title;
  if (typeof title !== "string") throw invalid({ title: "is required and must be a string" });
  const trimmed = title.trim();
  // Counted in code points, as PostgreSQL's varchar(200) counts them.
  const length = [...trimmed].length;
  if (length === 0) throw invalid({ title: "must not be empty" });
  if (length > TITLE_MAX) throw invalid({ title: `must be at most ${TITLE_MAX} characters` });
  if (CONTROL.test(trimmed)) throw invalid({ title: "must not contain control characters" });
  if (LONE_SURROGATE.test(trimmed)) throw invalid({ title: "must be valid Unicode text" });
  return { title: trimmed };
}
