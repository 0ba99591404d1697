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
