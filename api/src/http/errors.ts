// Every error the api answers with has this shape: { error: { code, message, fields? } }.

export interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
}

export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) } };
  }
}

export const notFound = () => new HttpError(404, "not_found", "no such route");
export const forbidden = () => new HttpError(403, "forbidden", "this resource belongs to another user");
export const invalid = (fields: Record<string, string>) => new HttpError(400, "invalid_request", "the request is invalid", fields);
