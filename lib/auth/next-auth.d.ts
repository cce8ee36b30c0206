/**
 * Type augmentation of next-auth (no runtime code): the user id that lib/auth/options.ts puts into the token and the
 * session. `JWT.uid` is set by its `jwt` callback at sign-in; `Session.user.id` is copied from it by its `session`
 * callback, and lib/auth/session.ts reads it.
 */
import type { DefaultSession } from "next-auth";

declare module "next-auth" {
  interface Session {
    user?: DefaultSession["user"] & { id?: string };
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
  }
}
