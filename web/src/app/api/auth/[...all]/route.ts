import { getAuth } from "../../../../lib/auth";
import { withClientAddress } from "../../../../lib/clientRequest";
import { uncacheable } from "../../../../lib/noStore";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  return uncacheable(await getAuth().handler(withClientAddress(request)));
}

export async function POST(request: Request): Promise<Response> {
  return uncacheable(await getAuth().handler(withClientAddress(request)));
}
