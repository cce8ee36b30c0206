import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/options";

// GET|POST /api/auth/* – next-auth: csrf, sign-in callback (credentials), session, sign-out
const handler = NextAuth(authOptions);
export { handler as GET, handler as POST };
