import type { FeedDto } from "@/lib/client/feeds";
import { Badge } from "./ui/badge";
import { Spinner } from "./ui/spinner";

const LABEL: Record<FeedDto["status"], string> = { idle: "Not refreshed", running: "Refreshing", succeeded: "Up to date", failed: "Failed" };
const TONE = { idle: "gray", running: "blue", succeeded: "green", failed: "red" } as const;

/** A feed's refresh status as a badge (data-status carries the API value for tests). */
export function FeedStatusBadge({ status, testId }: { status: FeedDto["status"]; testId?: string }) {
  return (
    <span data-testid={testId} data-status={status}>
      <Badge tone={TONE[status]}>
        {status === "running" && <Spinner className="size-3" />}
        {LABEL[status]}
      </Badge>
    </span>
  );
}
