// The one query the session registry makes: a session row by its primary key ("session_pkey").
import { type Queryable } from "../db/tasks";
import { selectSession } from "../db/users";
import type { SessionLookup } from "./registry";

export function createSessionLookup(db: Queryable): SessionLookup {
  return (sessionId) => selectSession(db, sessionId);
}
