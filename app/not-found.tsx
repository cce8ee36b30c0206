import type { Metadata } from "next";
import { Logo } from "@/components/logo";
import { NotFoundState } from "@/components/not-found-state";

export const metadata: Metadata = { title: "Page not found" };

/** Every URL no route matches (outside /dashboard, which has its own), and notFound() outside the dashboard. */
export default function NotFound() {
  return (
    <div className="flex min-h-screen flex-col">
      <header className="mx-auto flex w-full max-w-5xl items-center px-6 py-5">
        <Logo />
      </header>
      <main className="mx-auto w-full max-w-xl flex-1 px-6 pt-10" data-testid="app-not-found">
        <NotFoundState
          title="Page not found"
          description="There is nothing at this address. Check the link, or go to the start page."
          links={[
            { href: "/", label: "Go to the start page" },
            { href: "/dashboard", label: "Open the dashboard" },
          ]}
        />
      </main>
    </div>
  );
}
