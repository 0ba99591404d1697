// The one place requests are checked against their schemas (openapi/schemas.ts): a route hands
// its schemas and a handler that receives the parsed, typed input. Anything that does not parse
// is a 400 invalid_request whose `fields` says, per field, the first thing wrong with it.
import type { NextFunction, Request, Response } from "express";
import type { ZodError, ZodObject, ZodType, z } from "zod";
import { invalid } from "./errors";

export interface RequestSchemas {
  params?: ZodObject;
  query?: ZodObject;
  body?: ZodType;
}

type Parsed<S> = S extends ZodType ? z.output<S> : undefined;

export interface ValidInput<S extends RequestSchemas> {
  params: Parsed<S["params"]>;
  query: Parsed<S["query"]>;
  body: Parsed<S["body"]>;
}

const PARTS = ["params", "query", "body"] as const;

function addFields(fields: Record<string, string>, part: (typeof PARTS)[number], error: ZodError): void {
  for (const issue of error.issues) {
    // A strict object names each field it does not know.
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) fields[key] ??= "is not a known field";
      continue;
    }
    // A problem with the whole part (e.g. a body that is not an object) is reported under its name.
    const name = issue.path.length > 0 ? issue.path.join(".") : part;
    fields[name] ??= issue.message;
  }
}

export function validated<S extends RequestSchemas>(
  schemas: S,
  handler: (input: ValidInput<S>, req: Request, res: Response) => Promise<void> | void,
) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const fields: Record<string, string> = {};
    const input: Record<string, unknown> = {};
    for (const part of PARTS) {
      const schema = schemas[part];
      if (!schema) continue;
      const result = schema.safeParse(req[part]);
      if (result.success) input[part] = result.data;
      else addFields(fields, part, result.error);
    }
    if (Object.keys(fields).length > 0) return next(invalid(fields));
    await handler(input as unknown as ValidInput<S>, req, res);
  };
}
