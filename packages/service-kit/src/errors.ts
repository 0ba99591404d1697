/** Why a service refuses to start: one line that names the variable and never contains its value. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Thrown by validators with a message of our own words only: the refusal line prints this message,
 * so it can never echo a value back. Anything else a validator throws is reported as "is invalid".
 */
export class InvalidValue extends Error {}
