"use client";
import { useEffect, useState } from "react";

/** The current time, re-read every `ms` while `enabled` (for elapsed-time counters). */
export function useNow(enabled: boolean, ms = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!enabled) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [enabled, ms]);
  return now;
}
