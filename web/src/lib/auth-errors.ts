import { MAX_IMAGE_LENGTH, MAX_NAME_LENGTH } from "./accountFields";
import { MIN_PASSWORD_LENGTH } from "./password";

export const UNREACHABLE = "Cannot reach the server. Check your connection and try again.";

/** What a person should read for a failed sign-up or sign-in (Better Auth's error codes). */
export function authErrorMessage(error: { code?: string | undefined; status: number }): string {
  if (error.code?.startsWith("USER_ALREADY_EXISTS")) return "An account with this email already exists. Sign in instead.";
  switch (error.code) {
    case "INVALID_EMAIL_OR_PASSWORD":
      return "Wrong email or password.";
    case "PASSWORD_TOO_SHORT":
      return `The password is too short: use at least ${MIN_PASSWORD_LENGTH} characters.`;
    case "PASSWORD_TOO_LONG":
      return "The password is too long.";
    case "INVALID_EMAIL":
      return "Enter a valid email address.";
    case "PASSWORD_TOO_COMMON":
      return "This password is one of the most common ones, the first an attacker tries. Choose another.";
    case "NAME_TOO_LONG":
      return `The name is too long: use at most ${MAX_NAME_LENGTH} characters.`;
    case "IMAGE_TOO_LONG":
      return `The image address is too long: use at most ${MAX_IMAGE_LENGTH} characters.`;
    case "TOO_MANY_FAILED_SIGN_INS":
      return "Too many failed sign-ins for this account. Wait a few minutes, then try again.";
  }
  if (error.status === 429) return "Too many attempts. Wait a few seconds, then try again.";
  // 0: the request never got an answer; 502-504: a proxy could not reach the app.
  if (error.status === 0 || (error.status >= 502 && error.status <= 504)) return UNREACHABLE;
  return "Something went wrong on the server. Try again in a moment.";
}
