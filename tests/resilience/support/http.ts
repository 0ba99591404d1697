// Requests to the services: fetch for well-formed ones, a raw socket for bytes fetch refuses to send.
import { connect } from "node:net";

export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or null when the body is not JSON. */
  json: unknown;
  text: string;
  ms: number;
}

export async function call(
  url: string,
  options: { method?: string; token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(url, {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"),
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: callers that care look at `text`
  }
  return { status: response.status, headers: response.headers, json, text, ms: performance.now() - started };
}

export interface RawAnswer {
  status: number;
  head: string;
  body: string;
}

/**
 * One request written byte for byte on a fresh connection (`Connection: close`), for header
 * values and paths that fetch would reject or normalise before they reach the server.
 */
export function rawRequest(
  port: number,
  request: { method: string; path: string; headers: [string, string][]; body?: Buffer },
  timeoutMs = 10_000,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", (error) => {
      clearTimeout(timer);
      // The server may close as soon as it has answered a request it refused to read.
      const received = Buffer.concat(chunks).toString("latin1");
      if (/^HTTP\/1\.1 \d{3}/.test(received)) resolve(parse(received));
      else reject(error);
    });
    socket.on("end", () => {
      clearTimeout(timer);
      const received = Buffer.concat(chunks).toString("latin1");
      if (!/^HTTP\/1\.1 \d{3}/.test(received)) reject(new Error(`not an HTTP answer: ${JSON.stringify(received.slice(0, 100))}`));
      else resolve(parse(received));
    });
    const body = request.body ?? Buffer.alloc(0);
    const lines = [
      `${request.method} ${request.path} HTTP/1.1`,
      "Host: 127.0.0.1",
      "Connection: close",
      ...request.headers.map(([name, value]) => `${name}: ${value}`),
      ...(request.body ? [`Content-Length: ${body.length}`] : []),
    ];
    // write, not end: Node's http server drops a request whose client half-closes before the answer.
    socket.write(Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "utf8"), body]));
  });
}

function parse(received: string): RawAnswer {
  const split = received.indexOf("\r\n\r\n");
  const head = split === -1 ? received : received.slice(0, split);
  const body = split === -1 ? "" : Buffer.from(received.slice(split + 4), "latin1").toString("utf8");
  return { status: Number(head.slice(9, 12)), head, body };
}

/**
 * Every task of a user's list, newest first, following nextCursor page by page (200 a page, the
 * most the api serves). `get` answers one page; by default a plain GET with the token.
 */
export async function allTasks<T>(
  apiUrl: string,
  userId: string,
  token: string,
  get: (url: string) => Promise<Answer | null> = (url) => call(url, { token }),
): Promise<T[]> {
  const tasks: T[] = [];
  let cursor: string | null = null;
  do {
    const query = `?limit=200${cursor ? `&cursor=${cursor}` : ""}`;
    const page = await get(`${apiUrl}/api/${userId}/tasks${query}`);
    if (page?.status !== 200) throw new Error(`listing ${userId}'s tasks answered ${page?.status ?? "nothing"}`);
    const body = page.json as { tasks: T[]; nextCursor: string | null };
    tasks.push(...body.tasks);
    cursor = body.nextCursor;
  } while (cursor);
  return tasks;
}
