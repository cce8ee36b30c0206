/** The dashboard session's user id, or null. Reads Next's request scope (cookies), so only call it inside a request. */
import { getServerSession } from "next-auth";
import { authOptions } from "./options";

export async function getSessionUserId(): Promise<string | null> {
  const session = await getServerSession(authOptions);
  return session?.user?.id ?? null;
}
