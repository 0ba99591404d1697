// The list's query parameters (?limit=&cursor=, checked by the contract's TaskListQuery schema),
// turned into a page request: the opaque cursor decoded back into the position it stands for.
import type { z } from "zod";
import { TaskListQuery } from "../../openapi/schemas";
import { invalid } from "../../http/errors";
import { type TaskPosition, decodeCursor } from "../../services/taskCursor";

export interface PageRequest {
  limit: number;
  after: TaskPosition | null;
}

/** A cursor that is well-formed base64url but names no position this api hands out is a 400 too. */
export function toPageRequest(query: z.output<typeof TaskListQuery>): PageRequest {
  if (query.cursor === undefined) return { limit: query.limit, after: null };
  const after = decodeCursor(query.cursor);
  if (!after) throw invalid({ cursor: "must be a nextCursor value from a previous page" });
  return { limit: query.limit, after };
}

/** The same rules in one call, for a host that serves the list without the validation middleware (lib.ts). */
export function parsePageRequest(query: unknown): PageRequest {
  const parsed = TaskListQuery.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid({ [String(issue?.path[0] ?? "query")]: issue?.message ?? "is invalid" });
  }
  return toPageRequest(parsed.data);
}
