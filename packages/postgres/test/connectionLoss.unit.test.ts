// Which failed statements the pool may run again on a fresh connection. The pool itself is
// exercised against real terminations and cut connections in api/test/droppedConnections.test.ts
// and web/test/droppedConnections.test.ts; these are the rules it applies.
import { connectionLossOf, isReadOnly, mayReplay } from "../src";

const withCode = (code: string, message = "terminating connection due to administrator command") => Object.assign(new Error(message), { code });

test.each([
  [withCode("57P01"), "aborted"],
  [withCode("57P02"), "aborted"],
  [withCode("57P03"), "aborted"],
  [new Error("Client has encountered a connection error and is not queryable"), "unsent"],
  [withCode("ECONNRESET", "read ECONNRESET"), "ambiguous"],
  [withCode("EPIPE", "write EPIPE"), "ambiguous"],
  [new Error("Connection terminated unexpectedly"), "ambiguous"],
  [new Error("Connection terminated"), "ambiguous"],
  [new Error("Query read timeout"), null],
  [withCode("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432"), null],
  [withCode("23505", "duplicate key value violates unique constraint"), null],
  [withCode("57014", "canceling statement due to statement timeout"), null],
  ["not an error", null],
])("%p is a connection loss of kind %p", (error, kind) => {
  expect(connectionLossOf(error)).toBe(kind);
});

test.each([
  ["SELECT 1", true],
  ["  with t as (select 1) select * from t", true],
  ["WITH gone AS (DELETE FROM task RETURNING id) SELECT * FROM gone", false],
  ['INSERT INTO "task" (id) VALUES ($1)', false],
  ['UPDATE "session" SET "expiresAt" = now()', false],
  ["SELECT * FROM task FOR UPDATE; DELETE FROM task", false],
])("%p reads only: %p", (sql, readOnly) => {
  expect(isReadOnly(sql)).toBe(readOnly);
});

test.each([
  // Nothing reached the server: anything may run again.
  ["unsent", 'INSERT INTO "task" (id) VALUES ($1)', true],
  ["unsent", "SELECT 1; SELECT 2", true],
  // The server aborted it: a single autocommit statement did not commit.
  ["aborted", 'INSERT INTO "task" (id) VALUES ($1)', true],
  ["aborted", "SELECT 1;", true],
  ["aborted", "INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)", false],
  // The socket died with no word: it may have committed, so only reads run again.
  ["ambiguous", "SELECT 1", true],
  ["ambiguous", 'DELETE FROM "session" WHERE id = $1', false],
] as const)("a %s loss of %p may be replayed: %p", (loss, sql, replay) => {
  expect(mayReplay(loss, sql)).toBe(replay);
});
