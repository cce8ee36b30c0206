"use client";
import { useCallback, useSyncExternalStore } from "react";

/**
 * The current time in ms, re-read every `ms` while `enabled` (for elapsed-time counters). The value is Date.now()
 * rounded down to a multiple of `ms`, so it stays the same between ticks (useSyncExternalStore needs a stable
 * snapshot).
 */
export function useNow(enabled: boolean, ms = 1_000): number {
  const subscribe = useCallback(
    (onTick: () => void) => {
      if (!enabled) return () => {};
      const t = setInterval(onTick, ms);
      return () => clearInterval(t);
    },
    [enabled, ms],
  );
  const snapshot = () => Math.floor(Date.now() / ms) * ms;
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}
