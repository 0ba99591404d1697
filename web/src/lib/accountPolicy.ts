// The web's own rules on what an account may hold, as a Better Auth plugin that runs before the
// endpoints: no password from the common-password list (sign-up, password change and reset), and
// a bounded name and image (sign-up, user update). Each refusal is a 400 with its own code, in
// Better Auth's error shape, before anything is hashed or stored.
import "server-only";
import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { MAX_IMAGE_LENGTH, MAX_NAME_LENGTH } from "./accountFields";
import { isCommonPassword } from "./commonPasswords";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./password";

export const ACCOUNT_POLICY_ERRORS = {
  PASSWORD_TOO_COMMON: "This password is among the most common ones: choose another",
  NAME_TOO_LONG: `Name must be at most ${MAX_NAME_LENGTH} characters`,
  IMAGE_TOO_LONG: `Image must be at most ${MAX_IMAGE_LENGTH} characters`,
} as const;

type Code = keyof typeof ACCOUNT_POLICY_ERRORS;

/** The body field that holds the new password, per endpoint. */
const NEW_PASSWORD: Record<string, string> = {
  "/sign-up/email": "password",
  "/change-password": "newPassword",
  "/reset-password": "newPassword",
};
const ACCOUNT_FIELDS = new Set(["/sign-up/email", "/update-user"]);

const refuse = (code: Code) => new APIError("BAD_REQUEST", { code, message: ACCOUNT_POLICY_ERRORS[code] });

/** Only strings are checked: any other type is Better Auth's own 400. */
const tooLong = (value: unknown, max: number) => typeof value === "string" && value.length > max;

export function accountPolicy() {
  return {
    id: "account-policy",
    hooks: {
      before: [
        {
          matcher: (context) => context.path !== undefined && (context.path in NEW_PASSWORD || ACCOUNT_FIELDS.has(context.path)),
          handler: createAuthMiddleware(async (ctx) => {
            const body = (ctx.body ?? {}) as Record<string, unknown>;
            if (ACCOUNT_FIELDS.has(ctx.path)) {
              if (tooLong(body.name, MAX_NAME_LENGTH)) throw refuse("NAME_TOO_LONG");
              if (tooLong(body.image, MAX_IMAGE_LENGTH)) throw refuse("IMAGE_TOO_LONG");
            }
            const field = NEW_PASSWORD[ctx.path];
            const password = field === undefined ? undefined : body[field];
            // A password of the wrong length gets Better Auth's own PASSWORD_TOO_SHORT / _TOO_LONG first.
            const checkable = typeof password === "string" && password.length >= MIN_PASSWORD_LENGTH && password.length <= MAX_PASSWORD_LENGTH;
            if (checkable && isCommonPassword(password)) throw refuse("PASSWORD_TOO_COMMON");
            return Promise.resolve();
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
}
