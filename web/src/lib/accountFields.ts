// Bounds on what a person types into their account, shared by the server's checks (accountPolicy.ts)
// and the sign-up form. Better Auth itself stores a name or image of any length, and /api/me echoes them.
export const MAX_NAME_LENGTH = 100;
/** An image is a URL: 2048 characters is the common ceiling browsers and proxies agree on. */
export const MAX_IMAGE_LENGTH = 2048;
