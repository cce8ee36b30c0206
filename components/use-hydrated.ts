"use client";
import { useSyncExternalStore } from "react";

const noop = () => () => {};
/**
 * False during SSR and the hydration pass, true after. Auth forms keep their submit button disabled until then, so
 * a click before React is attached cannot fall back to a native GET that would put the password in the URL.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(noop, () => true, () => false);
}
