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
  return (req, res, next) => {
    const given = req.headersDistinct["x-request-id"];
    const id = given?.length === 1 && given[0] && SANE_REQUEST_ID.test(given[0]) ? given[0] : randomUUID();
    req.id = id;
    req.log = logger.child({ reqId: id });
    res.set("X-Request-Id", id);
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
    next();
  };
}
