// A JSON answer written in one piece. Express's res.json turns a body over 1,000 characters into
// a Buffer, which Node then writes beside the header string as a second chunk; a string body
// goes out concatenated with the header in one write. Measured on the task list (docs/BENCHMARKS.md).
import type { Response } from "express";

export function sendJson(res: Response, body: unknown, status = 200): void {
  const json = JSON.stringify(body);
  res.status(status);
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(json));
  res.end(json);
}
