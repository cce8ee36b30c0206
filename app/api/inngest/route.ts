// GET|POST|PUT /api/inngest – the Inngest serve endpoint (introspection, execution, sync). The same handler serves
// a real Inngest server (INNGEST_MODE=inngest) and the in-process runner (INNGEST_MODE=local, lib/jobs/local-runner.ts).
// Every request must carry a valid x-inngest-signature in both modes: in local mode the client is in cloud mode with
// a per-process signing key (see lib/jobs/client.ts). Unauthenticated syncs are off too, so an outside PUT gets 401.
import { serve } from "inngest/next";
import { functions } from "@/inngest";
import { inngest, isLocalMode } from "@/lib/jobs/client";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const { GET, POST, PUT } = serve({
  client: inngest,
  functions,
  ...(isLocalMode ? { enableUnauthedSync: false } : {}),
});
