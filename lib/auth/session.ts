/** The dashboard session's user id, or null. Reads Next's request scope (cookies), so only call it inside a request. */
import { getServerSession } from "next-auth";
import { authOptions } from "./options";

/**
 * The signed-in user's id from next-auth's session (getServerSession with lib/auth/options.ts), or null when there is
 * none.
 */
export async function getSessionUserId(): Promise<string | null> {
  const session = await getServerSession(authOptions);
  return session?.user?.id ?? null;
}
