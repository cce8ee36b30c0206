"use client";
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { SessionProvider } from "next-auth/react";
import { useState } from "react";
import { ApiError } from "@/lib/client/api";

/** An expired session makes every call fail with 401; send the user to sign in again instead of showing errors. */
function redirectOnUnauthorized(error: unknown) {
  if (error instanceof ApiError && error.status === 401 && window.location.pathname.startsWith("/dashboard")) {
    const back = encodeURIComponent(window.location.pathname + window.location.search);
    // A full page load (not the router): the expired session's cached queries go with it.
    window.location.assign(new URL(`/login?callbackUrl=${back}`, window.location.origin).href);
  }
}

export default function Providers({ children }: { children: React.ReactNode }) {
  // One QueryClient per browser session (created in state, not at module scope, so the server never shares one).
  const [client] = useState(
    () =>
      new QueryClient({
        queryCache: new QueryCache({ onError: redirectOnUnauthorized }),
        mutationCache: new MutationCache({ onError: redirectOnUnauthorized }),
        defaultOptions: {
          queries: {
            staleTime: 5_000,
            // Client errors (4xx) will not fix themselves on retry; network blips and 5xx might.
            retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
          },
        },
      }),
  );
  return (
    <SessionProvider>
      <QueryClientProvider client={client}>{children}</QueryClientProvider>
    </SessionProvider>
  );
}
