"use client";
/**
 * The OpenAPI document rendered by Scalar's API reference (@scalar/api-reference-react), bundled with the app: its
 * script and CSS are served from this instance's /_next/static like every other chunk, and nothing is fetched from
 * elsewhere (no web fonts: `withDefaultFonts: false`, no telemetry, no "Ask AI" agent, the document passed inline,
 * no proxy). Scalar needs the browser, so it is loaded after hydration; until then (and without JavaScript) the
 * `fallback` shows.
 */
import { useEffect, useState, type ComponentType, type ReactNode } from "react";
import type { AnyApiReferenceConfiguration } from "@scalar/api-reference-react";
// The wrapper's script does not import its stylesheet; without it the reference renders unstyled.
import "@scalar/api-reference-react/style.css";

type ScalarProps = { configuration: AnyApiReferenceConfiguration };

export function ApiReference({ document, fallback }: { document: Record<string, unknown>; fallback: ReactNode }) {
  const [Scalar, setScalar] = useState<ComponentType<ScalarProps> | null>(null);
  useEffect(() => {
    let live = true;
    import("@scalar/api-reference-react").then((m) => {
      if (live) setScalar(() => m.ApiReferenceReact as ComponentType<ScalarProps>);
    });
    return () => {
      live = false;
    };
  }, []);
  if (!Scalar) return <>{fallback}</>;
  return (
    <div data-testid="api-reference">
      <Scalar
        configuration={{
          content: document,
          withDefaultFonts: false,
          telemetry: false,
          // "Ask AI" talks to Scalar's servers (and is on by default for local URLs): off.
          agent: { disabled: true },
          hideClientButton: true,
          showDeveloperTools: "never",
          layout: "modern",
          theme: "default",
          defaultOpenAllTags: false,
          documentDownloadType: "json",
          // Same-origin requests from "Test request" carry the session cookie; no third-party proxy.
          proxyUrl: undefined,
        }}
      />
    </div>
  );
}
