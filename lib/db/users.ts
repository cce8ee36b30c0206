/**
 * Users (table User): sign-up, password check for next-auth's Credentials provider, existence checks.
 * Passwords are bcrypt-hashed (bcryptjs, cost 10); emails are stored lower-cased.
 * Errors: createUser throws AppError("duplicate_entry", field "email") when the email is taken.
 */
import bcrypt from "bcryptjs";
import { Prisma } from "@/generated/prisma/client";
import { AppError } from "@/lib/core/errors";
import type { TUserDto } from "@/lib/schemas/users";
import { getDb } from "./client";

const BCRYPT_COST = 10;
// Compared against when the email is unknown, so a login attempt takes as long for unknown as for known emails.
// (The hash of a random password nobody knows, at BCRYPT_COST.)
const DUMMY_HASH = "$2b$10$Dc3z31fo9mJNi7n5Y2xLA.vQNhp9yZRrlqm7Hh2cJpRstNBiZim3e";

const select = { id: true, email: true, name: true, createdAt: true } as const;
const toUserDto = (u: { id: string; email: string; name: string | null; createdAt: Date }): TUserDto => ({
  ...u,
  createdAt: u.createdAt.toISOString(),
});

/**
 * Creates a user with the email trimmed and lower-cased and the password stored as a bcrypt hash (cost 10). Throws
 * AppError 409 `duplicate_entry` (field `email`) when the email is taken.
 */
export async function createUser(opts: { email: string; password: string; name?: string | null }): Promise<TUserDto> {
  const passwordHash = await bcrypt.hash(opts.password, BCRYPT_COST);
  try {
    const user = await getDb().user.create({
      data: { email: opts.email.trim().toLowerCase(), name: opts.name ?? null, passwordHash },
      select,
    });
    return toUserDto(user);
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw new AppError("duplicate_entry", "An account with this email already exists.", { field: "email" });
    }
    throw err;
  }
}

/** The user when the password matches, else null (unknown email and wrong password look the same). */
export async function verifyUserPassword(email: string, password: string): Promise<TUserDto | null> {
  const user = await getDb().user.findUnique({
    where: { email: email.trim().toLowerCase() },
    select: { ...select, passwordHash: true },
  });
  const ok = await bcrypt.compare(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) return null;
  const { passwordHash: _, ...rest } = user;
  return toUserDto(rest);
}

/** The user with that email (trimmed, compared lower-cased), or null. */
export async function findUserByEmail(email: string): Promise<TUserDto | null> {
  const user = await getDb().user.findUnique({ where: { email: email.trim().toLowerCase() }, select });
  return user ? toUserDto(user) : null;
}

/** The user's plan name and crawl-credit balance, or null when the user does not exist. */
export async function findUserAccount(userId: string): Promise<{ plan: string; creditBalance: number } | null> {
  return getDb().user.findUnique({ where: { id: userId }, select: { plan: true, creditBalance: true } });
}

