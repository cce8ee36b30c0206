import type { TRunDto } from "@/lib/schemas/runs";
import { Badge, type BADGE_TONES } from "./ui/badge";

const STATUS: Record<TRunDto["status"], { label: string; tone: keyof typeof BADGE_TONES; dot: string }> = {
  queued: { label: "Queued", tone: "gray", dot: "bg-slate-400" },
  running: { label: "Running", tone: "blue", dot: "bg-sky-500 animate-pulse" },
  succeeded: { label: "Succeeded", tone: "green", dot: "bg-emerald-500" },
  failed: { label: "Failed", tone: "red", dot: "bg-red-500" },
  cancelled: { label: "Cancelled", tone: "amber", dot: "bg-amber-500" },
  held: { label: "Held", tone: "amber", dot: "bg-amber-500" },
};

/** The status of a run, or "Never run" when there is none. `data-status` carries the raw value for tests. */
export function RunStatusBadge({ status, testId }: { status: TRunDto["status"] | null | undefined; testId?: string }) {
  if (!status) {
    return (
      <Badge tone="gray" testId={testId}>
        <span data-status="none">Never run</span>
      </Badge>
    );
  }
  const s = STATUS[status];
  return (
    <Badge tone={s.tone} testId={testId}>
      <span className={`size-1.5 rounded-full ${s.dot}`} aria-hidden="true" />
      <span data-status={status}>{s.label}</span>
    </Badge>
  );
}
