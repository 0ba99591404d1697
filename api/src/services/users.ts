// Users are Better Auth's (web writes them); the api only reads the caller's own row.
import type { Database } from "../db/prisma";
import { withDatabase } from "../db/errors";

export interface UserView {
  id: string;
  email: string;
  name: string;
}

export interface UserService {
  byId(userId: string): Promise<UserView | null>;
}

export function createUserService(db: Database): UserService {
  return {
    byId: (userId) => withDatabase(() => db.user.findUnique({ where: { id: userId }, select: { id: true, email: true, name: true } })),
  };
}
