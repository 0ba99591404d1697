// Checks one HTTP answer of the api against the committed OpenAPI document (api/openapi.json):
// the route and method are documented, the status is one the operation lists, the documented
// headers are there, and the body matches the schema of its media type. Answers on routes the
// document does not list (404s, wrong methods) must still be the api's error shape.
import { readFileSync } from "node:fs";
import path from "node:path";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";

interface MediaType {
  schema?: object;
}
interface ResponseObject {
  headers?: Record<string, { required?: boolean }>;
  content?: Record<string, MediaType>;
}
interface Operation {
  responses: Record<string, ResponseObject>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object> };
}

export const documentPath = path.join(__dirname, "..", "..", "openapi.json");
const document = JSON.parse(readFileSync(documentPath, "utf8")) as Document;

// The document refers to "#/components/schemas/X"; each compiled schema carries them as $defs.
const toDefs = (schema: object): object => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"#/$defs/')) as object;
const defs = toDefs(document.components.schemas);

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
// OpenAPI's own annotation inside schema objects.
ajv.addKeyword("example");
const compiled = new Map<object, ValidateFunction>();
function validatorFor(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile({ ...toDefs(schema), $defs: defs });
    compiled.set(schema, validate);
  }
  return validate;
}

const routes = Object.entries(document.paths).map(([template, operations]) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
  operations,
}));

// Routes that exist only inside one test's own app (a fixture), registered by that test.
const fixtureRoutes: RegExp[] = [];
export function fixtureRoute(pattern: RegExp): void {
  fixtureRoutes.push(pattern);
}

export interface Answer {
  method: string;
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body text. */
  text: string;
}

function checkBody(answer: Answer, where: string, content: Record<string, MediaType> | undefined): string | null {
  if (!content) return answer.text === "" ? null : `${where}: the document lists no body, the api sent one`;
  const type =
    String(answer.headers["content-type"] ?? "")
      .split(";")[0]
      ?.trim() ?? "";
  const media = content[type];
  if (!media) return `${where}: Content-Type ${type || "(none)"} is not one of ${Object.keys(content).join(", ")}`;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `${where}: the body is not JSON`;
  }
  const validate = validatorFor(media.schema ?? {});
  if (validate(body)) return null;
  return `${where}: the body does not match the document: ${ajv.errorsText(validate.errors)} in ${answer.text.slice(0, 300)}`;
}

/** Why the answer contradicts the document, or null when it agrees. */
export function contractProblem(answer: Answer): string | null {
  const method = answer.method.toLowerCase();
  // CORS preflights and HEAD are answered by the framework for any route; they carry no body.
  if (method === "options" || method === "head") return null;
  // As sent, not normalised: the api routes "/a/../b" as it stands, and so must this check.
  const pathname = answer.url.replace(/^https?:\/\/[^/]+/, "").split("?", 1)[0] ?? "";
  // Left out of the document on purpose: the benchmark-only routes (BENCH=1) and the /docs page
  // that renders the document for people.
  if (/^\/(bench|docs)(\/|$)/.test(pathname) || fixtureRoutes.some((r) => r.test(pathname))) return null;
  const where = `${answer.method.toUpperCase()} ${pathname} -> ${answer.status}`;
  const route = routes.find((r) => r.pattern.test(pathname));
  const operation = route?.operations[method];
  if (!route || !operation) {
    if (answer.status < 400) return `${where}: the route is not in the document`;
    return checkBody(answer, where, { "application/json": { schema: { $ref: "#/components/schemas/Error" } } });
  }
  const response = operation.responses[String(answer.status)];
  if (!response) return `${where}: ${route.template} documents only ${Object.keys(operation.responses).join(", ")}`;
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    if (header.required && answer.headers[name.toLowerCase()] === undefined) return `${where}: documented header ${name} is missing`;
  }
  return checkBody(answer, where, response.content);
}
