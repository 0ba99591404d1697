// What a service can say besides its result. The error handler maps each to its HTTP answer.

/** The user already has as many tasks as the quota allows (TASK_QUOTA). */
export class TaskQuotaError extends Error {
  override name = "TaskQuotaError";
  constructor(readonly quota: number) {
    super(`task quota of ${quota} reached`);
  }
}

/**
 * The token's subject has no user row any more (deleted after the token was issued). Answered as
 * a 401, like any other token that no longer holds.
 */
export class UserGoneError extends Error {
  override name = "UserGoneError";
  constructor() {
    super("token subject has no user row");
  }
}

/**
 * The caller has no task with this id: someone else's, never created, already deleted, or not an
 * id at all. One error for all of them, answered with one 404, so nobody learns which it was.
 */
export class TaskNotFoundError extends Error {
  override name = "TaskNotFoundError";
  constructor() {
    super("no such task");
  }
}
