import { getAuth } from "../../../../lib/auth";
import { withClientAddress } from "../../../../lib/clientRequest";

export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return getAuth().handler(withClientAddress(request));
}

export function POST(request: Request): Promise<Response> {
  return getAuth().handler(withClientAddress(request));
}
