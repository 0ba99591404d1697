// The most common passwords, from an offline list shipped in the lockfile (zxcvbn-ts's common
// dictionary: about 49,000 entries from leaked-password corpora). No network call, ever.
import "server-only";
import { dictionary } from "@zxcvbn-ts/language-common";

let common: ReadonlySet<string> | undefined;

/** True for a password on the list, ignoring case: "Password1" is as guessable as "password1". */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary["passwords-common"].map((entry) => entry.toLowerCase()));
  return common.has(password.toLowerCase());
}
