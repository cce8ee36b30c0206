// Next 16 renamed middleware.ts to proxy.ts. Signed-out visitors of the dashboard go to /login?callbackUrl=…
import { withAuth } from "next-auth/middleware";

export default withAuth({ pages: { signIn: "/login" } });

export const config = { matcher: ["/dashboard/:path*"] };
