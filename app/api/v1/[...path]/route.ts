import { withApi } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";

// ANY /api/v1/<unknown> – the error envelope instead of Next's HTML 404
const notFound = withApi(async ({ req }) => {
  throw new AppError("not_found", `No endpoint ${req.method} ${new URL(req.url).pathname}.`);
});
export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
