// Every request and response shape of the api, once. Routes validate requests with these
// (http/validate.ts), the OpenAPI document is generated from them (document.ts), and the api's
// tests check every response they receive against that document.
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, TITLE_MAX } from "@authbridge/api-types";
import { z } from "zod";

// Control characters (NUL among them, which PostgreSQL text cannot hold) have no place in a title.
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's job
const CONTROL = /[\u0000-\u001f\u007f]/;
// JSON may escape half a surrogate pair ("\udfff"); UTF-8 cannot carry it, so the driver would
// silently store U+FFFD instead and answer 201 with a title the client never sent.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// Counted in code points, as PostgreSQL's varchar(200) and JSON Schema's maxLength count them.
// eslint-disable-next-line @typescript-eslint/no-misused-spread -- code points, not graphemes, are what is counted
const codePoints = (text: string) => [...text].length;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "Stable, machine-readable reason", example: "invalid_request" }),
      message: z.string().meta({ description: "For people; may change", example: "the request is invalid" }),
      fields: z
        .record(z.string(), z.string())
        .optional()
        .meta({ description: "Per input field (or `body`), what is wrong with it", example: { title: "must not be empty" } }),
    }),
  })
  .meta({ id: "Error" });
/** Every error answer of the api (HttpError.body()). */
export type ErrorBody = z.output<typeof ErrorBody>;

export const Task = z
  .object({
    id: z.string(),
    title: z.string(),
    done: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({
    id: "Task",
    example: {
      id: "cmf0l2x1a0001",
      title: "Water the plants",
      done: false,
      createdAt: "2026-12-01T09:30:00.000Z",
      updatedAt: "2026-12-01T09:30:00.000Z",
    },
  });

export const User = z
  .object({ id: z.string(), email: z.email(), name: z.string() })
  .meta({ id: "User", example: { id: "Wq2m7GfO1kD8vYzX", email: "ada@example.com", name: "Ada" } });

export const WhoAmI = z.object({ userId: z.string() }).meta({ id: "WhoAmI", example: { userId: "Wq2m7GfO1kD8vYzX" } });

export const TaskPage = z
  .object({
    tasks: z.array(Task).meta({ description: "Newest first" }),
    nextCursor: z.string().nullable().meta({ description: "Pass as `cursor` for the next page; null on the last page" }),
  })
  .meta({ id: "TaskPage" });
/** One name, one thing: the schema and the page it describes (what the service returns, the route sends). */
export type TaskPage = z.output<typeof TaskPage>;

export const SingleTask = z.object({ task: Task }).meta({ id: "SingleTask" });

const healthCheck = z.looseObject({
  componentType: z.string().optional(),
  status: z.enum(["pass", "fail", "warn"]),
  time: z.string().optional(),
  output: z.string().optional(),
  observedValue: z.unknown().optional(),
  observedUnit: z.string().optional(),
});

// Loose on purpose: checks may gain members and new checks may appear (RFC draft health+json).
export const Health = z
  .looseObject({
    status: z.enum(["pass", "fail", "warn"]),
    output: z.string().optional(),
    checks: z.record(z.string(), z.array(healthCheck)),
  })
  .meta({ id: "Health" });

export const Liveness = z.object({ status: z.literal("pass") }).meta({ id: "Liveness" });

// --- requests

export const UserPath = z.object({
  userId: z.string().min(1).meta({ description: "Must be the token's subject (`sub`), else 403", example: "Wq2m7GfO1kD8vYzX" }),
});

export const Title = z
  .string({ error: "is required and must be a string" })
  .trim()
  .refine((title) => codePoints(title) > 0, "must not be empty")
  .refine((title) => codePoints(title) <= TITLE_MAX, `must be at most ${TITLE_MAX} characters`)
  .refine((title) => !CONTROL.test(title), "must not contain control characters")
  .refine((title) => !LONE_SURROGATE.test(title), "must be valid Unicode text")
  .meta({
    description: `Trimmed, then 1 to ${TITLE_MAX} Unicode code points, no control characters, valid Unicode`,
    minLength: 1,
    maxLength: TITLE_MAX,
    example: "Water the plants",
  });

export const NewTask = z.object({ title: Title }, { error: "must be a JSON object" }).meta({ id: "NewTask" });

// Strict: a misspelt field ("titel") is a 400 naming it, not a 200 that silently changed nothing.
export const TaskChanges = z
  .strictObject(
    {
      title: Title.optional(),
      done: z.boolean({ error: "must be true or false" }).optional(),
    },
    { error: "must be a JSON object" },
  )
  .refine((changes) => changes.title !== undefined || changes.done !== undefined, "must name at least one of title, done")
  .meta({ id: "TaskChanges", description: "The fields to change; at least one", minProperties: 1 });
/** What a PATCH may change; a field left undefined keeps its value. */
export type TaskChanges = z.output<typeof TaskChanges>;

export const TaskPath = UserPath.extend({
  taskId: z.string().meta({
    description: "A task id. Any id that is not one of the caller's tasks is answered 404, the same way every time",
    example: "0b5e2a52-6f0e-4c2a-9d55-2f1c7a1f3e10",
  }),
});

const limitMessage = `must be an integer from 1 to ${PAGE_SIZE_MAX}`;
export const TaskListQuery = z.object({
  limit: z
    .string({ error: limitMessage })
    .regex(/^\d{1,4}$/, limitMessage)
    .transform(Number)
    .refine((n) => n >= 1 && n <= PAGE_SIZE_MAX, limitMessage)
    .default(PAGE_SIZE_DEFAULT)
    .meta({ type: "integer", minimum: 1, maximum: PAGE_SIZE_MAX, default: PAGE_SIZE_DEFAULT, description: "Tasks per page" }),
  cursor: z
    .string({ error: "must be a nextCursor value from a previous page" })
    .regex(BASE64URL, "must be a nextCursor value from a previous page")
    .optional()
    .meta({ description: "Opaque: the `nextCursor` of the previous page" }),
});
