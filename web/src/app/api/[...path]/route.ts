// Any /api path no route handles: a JSON 404 in the api's error shape, not Next's HTML page.
import { jsonError } from "../../../lib/jsonError";

export const dynamic = "force-dynamic";

const notFound = (): Response => jsonError(404, "not_found", "no such route");

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE, notFound as HEAD, notFound as OPTIONS };
