// The limits both sides of the API enforce, defined once. The api validates with them (and
// publishes them in api/openapi.json); the web uses them to stop a doomed request early.

/** A task title, trimmed, counted in Unicode code points (as PostgreSQL's VARCHAR(200) counts). */
export const TITLE_MAX = 200;

/** Tasks per page of GET /api/{userId}/tasks when the caller gives no limit. */
export const PAGE_SIZE_DEFAULT = 50;

/** The largest limit GET /api/{userId}/tasks accepts. */
export const PAGE_SIZE_MAX = 200;

/** The API's types, generated from api/openapi.json (also at @authbridge/api-types/openapi). */
export type { components, paths } from "./openapi";
