// Calls to the API from the browser. The paths, parameters and bodies are typed by the API's own
// OpenAPI document (api/openapi.json, generated into @authbridge/api-types/openapi); this file only
// adds the short-lived token from Better Auth as a Bearer. The token is replaced before it
// expires; a 401 still gets one fresh token (the api restarted with a key retired early, say),
// and a second 401 means the session itself is gone.
import type { components, paths } from "@authbridge/api-types/openapi";
import createClient from "openapi-fetch";
import { authClient } from "./auth-client";
import { refreshAfterMs } from "./tokenRefresh";

export type Me = components["schemas"]["User"];
export type Task = components["schemas"]["Task"];
export type ApiErrorBody = components["schemas"]["Error"];

/** The session is gone: the page should send the person to /sign-in. */
export class SignedOut extends Error {
  override name = "SignedOut";
}

/** The API answered with an error (message from its JSON error body when there is one). */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

class TokenHolder {
  private token: string | null = null;
  private replaceTokenAt = 0;

  async get(fresh: boolean): Promise<string> {
    if (this.token && !fresh && Date.now() < this.replaceTokenAt) return this.token;
    const { data, error } = await authClient.token();
    if (error?.status === 401) throw new SignedOut("no session");
    if (!data) throw new ApiError(error.status, "could not get a token from the web server");
    this.token = data.token;
    this.replaceTokenAt = Date.now() + refreshAfterMs(data.token);
    return data.token;
  }
}

/** fetch with the Bearer token; retried once with a fresh token on a 401. */
function authorizedFetch(tokens: TokenHolder): (request: Request) => Promise<Response> {
  const send = async (request: Request, fresh: boolean) => {
    const headers = new Headers(request.headers);
    headers.set("authorization", `Bearer ${await tokens.get(fresh)}`);
    return fetch(new Request(request, { headers, cache: "no-store" }));
  };
  return async (request) => {
    const retry = request.clone();
    let response = await send(request, false);
    if (response.status === 401) response = await send(retry, true);
    if (response.status === 401) throw new SignedOut("the API refused a fresh token");
    return response;
  };
}

/** A typed client for the API at apiUrl (from the server at request time, never baked in). */
export function createApiClient(apiUrl: string) {
  return createClient<paths>({ baseUrl: apiUrl, fetch: authorizedFetch(new TokenHolder()) });
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** The data of a successful answer, or an ApiError carrying the API's own message. */
export function dataOf<T>(result: { data?: T; error?: ApiErrorBody; response: Response }): T {
  if (result.data !== undefined) return result.data;
  throw new ApiError(result.response.status, result.error?.error.message ?? `the API answered ${result.response.status}`);
}

/** Nothing to read (a 204), but an error still throws the ApiError carrying the API's message. */
export function succeeded(result: { error?: ApiErrorBody; response: Response }): void {
  if (result.response.ok) return;
  throw new ApiError(result.response.status, result.error?.error.message ?? `the API answered ${result.response.status}`);
}

/** The API's /healthz status ("pass" | "fail"), or "unreachable". Needs no token. */
export async function apiHealth(apiUrl: string): Promise<string> {
  try {
    const response = await fetch(`${apiUrl}/healthz`, { cache: "no-store" });
    const body: unknown = await response.json();
    return typeof body === "object" && body !== null && "status" in body && typeof body.status === "string" ? body.status : "fail";
  } catch {
    return "unreachable";
  }
}
