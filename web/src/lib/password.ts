// Shared by the server's Better Auth options and the sign-up form's hint.
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;
