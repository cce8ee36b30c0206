import { badUrlResponse } from "@/lib/compat/bad-url";

// ANY /api/bad-url – where proxy.ts rewrites URLs whose path is not percent-encoded UTF-8: 400 in the error shape of
// the family the raw path belongs to (lib/compat/bad-url.ts); called directly, 404 not_found.
const handler = async (req: Request) => badUrlResponse(req);
export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE };
