// Calls to the API from the browser, with the short-lived token from Better Auth as a Bearer.
// The token is replaced before it expires; a 401 still gets one fresh token (the api restarted
// with a key retired early, say), and a second 401 means the session itself is gone.
import { authClient } from "./auth-client";
import { refreshAfterMs } from "./tokenRefresh";

export interface Me {
  id: string;
  email: string;
  name: string;
}

export interface Task {
  id: string;
  title: string;
  done: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface TaskPage {
  tasks: Task[];
  /** null on the last page. */
  nextCursor: string | null;
}

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

export class ApiClient {
  private token: string | null = null;
  private replaceTokenAt = 0;

  constructor(private readonly apiUrl: string) {}

  me(): Promise<Me> {
    return this.json<Me>("/api/me");
  }

  /** One page, newest first; pass the previous page's nextCursor for the next one. */
  tasks(userId: string, cursor: string | null = null): Promise<TaskPage> {
    const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : "";
    return this.json<TaskPage>(`/api/${encodeURIComponent(userId)}/tasks${query}`);
  }

  async addTask(userId: string, title: string): Promise<Task> {
    const body = JSON.stringify({ title });
    const init = { method: "POST", body, headers: { "content-type": "application/json" } };
    return (await this.json<{ task: Task }>(`/api/${encodeURIComponent(userId)}/tasks`, init)).task;
  }

  /** The API's /healthz status ("pass" | "fail"), or "unreachable". Needs no token. */
  async health(): Promise<string> {
    try {
      const response = await fetch(`${this.apiUrl}/healthz`, { cache: "no-store" });
      const body: unknown = await response.json();
      return typeof body === "object" && body !== null && "status" in body && typeof body.status === "string" ? body.status : "fail";
    } catch {
      return "unreachable";
    }
  }

  private async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    let response = await this.send(path, init, false);
    if (response.status === 401) response = await this.send(path, init, true);
    if (response.status === 401) throw new SignedOut("the API refused a fresh token");
    if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
    return (await response.json()) as T;
  }

  private async send(path: string, init: RequestInit, freshToken: boolean): Promise<Response> {
    const token = await this.getToken(freshToken);
    const headers = { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${token}` };
    return fetch(`${this.apiUrl}${path}`, { ...init, headers, cache: "no-store" });
  }

  private async getToken(fresh: boolean): Promise<string> {
    if (this.token && !fresh && Date.now() < this.replaceTokenAt) return this.token;
    const { data, error } = await authClient.token();
    if (error?.status === 401) throw new SignedOut("no session");
    if (!data) throw new ApiError(error.status, "could not get a token from the web server");
    this.token = data.token;
    this.replaceTokenAt = Date.now() + refreshAfterMs(data.token);
    return data.token;
  }
}

async function errorMessage(response: Response): Promise<string> {
  const body: unknown = await response.json().catch(() => null);
  if (typeof body === "object" && body !== null && "error" in body) {
    const { error } = body as { error: { message?: unknown } };
    if (typeof error.message === "string") return error.message;
  }
  return `the API answered ${response.status}`;
}
