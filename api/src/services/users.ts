// Users are Better Auth's (web writes them); the api only reads the caller's own row.
import type { Database } from "../db/prisma";
import { UserGoneError } from "./errors";

export interface UserView {
  id: string;
  email: string;
  name: string;
}

export interface UserService {
  /** Throws UserGoneError when the row no longer exists. */
  byId(userId: string): Promise<UserView>;
}

export function createUserService(db: Database): UserService {
  return {
    byId: async (userId) => {
      const user = await db.user.findUnique({ where: { id: userId }, select: { id: true, email: true, name: true } });
      if (!user) throw new UserGoneError();
      return user;
    },
  };
}
