// How a service says no to its environment: one line, every problem named, no value anywhere.
import { EnvMissingError } from "envalid";
import { InvalidValue } from "./errors";

/**
 * The environment as a service reads it: an empty value (`NAME=` in .env, or an empty
 * substitution in Compose) means "not set", so defaults apply and required variables are missing.
 */
export function setVariables(source: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(Object.entries(source).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ""));
}

/** `<service>: refusing to start: <problem>; <NAME> <why>; ...`, from envalid's errors by variable. */
export function refusal(service: string, errors: Partial<Record<string, Error>>, problem: string | null): string {
  const reasons = Object.entries(errors).map(([name, error]) => {
    if (error instanceof EnvMissingError) return `${name} is missing`;
    if (error instanceof InvalidValue) return `${name} ${error.message}`;
    return `${name} is invalid`;
  });
  return `${service}: refusing to start: ${[...(problem ? [problem] : []), ...reasons].join("; ")}`;
}
