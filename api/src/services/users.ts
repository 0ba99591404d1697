// Users are Better Auth's (web writes them); the api only reads the caller's own row.
import type { Queryable } from "../db/tasks";
import { selectUser } from "../db/users";
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

export function createUserService(db: Queryable): UserService {
  return {
    byId: async (userId) => {
      const user = await selectUser(db, userId);
      if (!user) throw new UserGoneError();
      return user;
    },
  };
}
