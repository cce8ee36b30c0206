/**
 * Test-only: sets a usage counter window's count ("10 requests left") for quota and rate-limit tests.
 */
import { getDb } from "@/lib/db/client";
import type { CounterKey } from "@/lib/db/usage";

export async function setUsageCounter(k: CounterKey & { count: number }): Promise<void> {
  const { count, ...key } = k;
  await getDb().usageCounter.upsert({
    where: { subject_window_start: key },
    create: { ...key, count },
    update: { count },
  });
}
