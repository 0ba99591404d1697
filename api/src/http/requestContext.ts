// Gives every request an id (the caller's x-request-id when it is sane, else a new one), echoes
// it, and logs one line per finished request with it.
import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";
import type { Logger } from "pino";

declare global {
  namespace Express {
    interface Request {
      id: string;
      log: Logger;
    }
  }
}

// Bounded and plain so a caller cannot inject log lines or huge values through it.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestContext(logger: Logger): RequestHandler {
  // The per-request line is info: at LOG_LEVEL=warn and above nothing is built for it.
  const logRequests = logger.isLevelEnabled("info");
  return (req, res, next) => {
    // A repeated header arrives joined with ", ", which is not sane: a new id, as for a missing one.
    const given = req.headers["x-request-id"];
    const id = typeof given === "string" && SANE_REQUEST_ID.test(given) ? given : randomUUID();
    req.id = id;
    // The request's logger, every line of it with reqId: made the first time something logs
    // (a pino child costs a few µs, and most requests at warn never log at all).
    let child: Logger | undefined;
    Object.defineProperty(req, "log", {
      configurable: true,
      enumerable: true,
      get: () => (child ??= logger.child({ reqId: id })),
      set: (value: Logger) => {
        child = value;
      },
    });
    res.set("X-Request-Id", id);
    if (logRequests) {
      const started = process.hrtime.bigint();
      res.on("finish", () => {
        req.log.info(
          {
            method: req.method,
            path: req.originalUrl.split("?", 1)[0]?.slice(0, 200),
            status: res.statusCode,
            ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
          },
          "request",
        );
      });
    }
    next();
  };
}
