// The list's query parameters: ?limit=1..PAGE_SIZE_MAX (default PAGE_SIZE_DEFAULT) &cursor=<opaque>.
import { invalid } from "../http/errors";
import { type TaskPosition, decodeCursor } from "../services/taskCursor";

export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 200;

export interface TaskPageQuery {
  limit: number;
  after: TaskPosition | null;
}

/** Throws a 400 naming the parameter; a parameter given twice is refused, not guessed at. */
export function parseTaskPageQuery(query: Record<string, unknown>): TaskPageQuery {
  const { limit, cursor } = query;
  let size = PAGE_SIZE_DEFAULT;
  if (limit !== undefined) {
    if (typeof limit !== "string" || !/^\d{1,4}$/.test(limit)) throw invalid({ limit: `must be an integer from 1 to ${PAGE_SIZE_MAX}` });
    size = Number(limit);
    if (size < 1 || size > PAGE_SIZE_MAX) throw invalid({ limit: `must be an integer from 1 to ${PAGE_SIZE_MAX}` });
  }
  if (cursor === undefined) return { limit: size, after: null };
  const after = typeof cursor === "string" ? decodeCursor(cursor) : null;
  if (!after) throw invalid({ cursor: "must be a nextCursor value from a previous page" });
  return { limit: size, after };
}
