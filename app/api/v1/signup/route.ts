import { addressBucket, clientIp } from "@/lib/api/client-ip";
import { readJson } from "@/lib/api/request";
import { json } from "@/lib/api/response";
import { applyRateLimit, methodsNotAllowed, withApi } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { createUser } from "@/lib/db/users";
import { getEnv } from "@/lib/env";
import { ZSignupBody } from "@/lib/schemas/users";

// POST /api/v1/signup – create an account (unauthenticated, rate-limited per client address, see lib/api/client-ip.ts); 201
export const POST = withApi(async ({ req, headers }) => {
  const env = getEnv();
  if (!env.SIGNUP_ENABLED) throw new AppError("forbidden", "Sign-up is disabled on this instance.");
  await applyRateLimit(headers, `signup:${addressBucket(clientIp(req))}`, { limit: env.SIGNUP_RATE_LIMIT_PER_MINUTE, windowSec: 60 });
  const body = await readJson(req, ZSignupBody);
  return json(await createUser(body), { status: 201 });
});

export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
