// GET /api/me and GET /api/whoami: who the token says the caller is.
import { authOf } from "../auth/requireAuth";
import { databaseUnavailable, json, unauthorized } from "../openapi/responses";
import { User, WhoAmI } from "../openapi/schemas";
import { routeOf } from "../http/route";
import type { UserService } from "../services/users";

const meRoute = routeOf<UserService>();

export const readMe = meRoute({
  method: "get",
  path: "/api/me",
  summary: "The caller's user",
  bearer: true,
  request: {},
  responses: { 200: json(User, "The token's user"), 401: unauthorized, 503: databaseUnavailable },
  handler: async (users, _input, req, res) => {
    res.json(await users.byId(authOf(req).userId));
  },
});

// Authentication alone, no database: what a request costs before any data is read.
export const whoAmI = meRoute({
  method: "get",
  path: "/api/whoami",
  summary: "The token's subject: authentication alone, no data read",
  bearer: true,
  request: {},
  responses: { 200: json(WhoAmI, "The token's subject"), 401: unauthorized, 503: databaseUnavailable },
  handler: (_users, _input, req, res) => {
    res.json({ userId: authOf(req).userId });
  },
});

export const meRoutes = [readMe, whoAmI];
