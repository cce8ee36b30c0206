"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { signOut, useSession } from "next-auth/react";
import { Logo } from "./logo";
import { cn } from "./ui/cn";

const LINKS = [
  { href: "/dashboard", label: "Sitemaps", match: (p: string) => p === "/dashboard" || p.startsWith("/dashboard/sitemaps") },
  { href: "/dashboard/runs", label: "Runs", match: (p: string) => p.startsWith("/dashboard/runs") },
  { href: "/dashboard/templates", label: "Templates", match: (p: string) => p.startsWith("/dashboard/templates") },
  { href: "/dashboard/feeds", label: "Feeds", match: (p: string) => p.startsWith("/dashboard/feeds") },
  { href: "/dashboard/usage", label: "Usage", match: (p: string) => p.startsWith("/dashboard/usage") },
  { href: "/dashboard/webhooks", label: "Webhooks", match: (p: string) => p.startsWith("/dashboard/webhooks") },
  { href: "/dashboard/api-keys", label: "API keys", match: (p: string) => p.startsWith("/dashboard/api-keys") },
];

export function TopNav() {
  const pathname = usePathname() ?? "";
  const { data: session } = useSession();
  const email = session?.user?.email;

  return (
    <header className="sticky top-0 z-20 border-b border-slate-200 bg-white/90 backdrop-blur">
      <div className="mx-auto flex h-14 max-w-6xl items-center gap-3 px-4 sm:gap-6 sm:px-6">
        <Logo href="/dashboard" compact />
        <nav aria-label="Main" className="flex items-center gap-1">
          {LINKS.map((l) => {
            const active = l.match(pathname);
            return (
              <Link
                key={l.href}
                href={l.href}
                aria-current={active ? "page" : undefined}
                className={cn(
                  "rounded-md px-2.5 py-1.5 text-sm font-medium whitespace-nowrap transition-colors sm:px-3",
                  active ? "bg-slate-100 text-slate-900" : "text-slate-500 hover:bg-slate-50 hover:text-slate-900",
                )}
              >
                {l.label}
              </Link>
            );
          })}
        </nav>
        <div className="ml-auto flex shrink-0 items-center gap-3">
          <Link href="/docs/api" data-testid="api-docs-link" className="text-sm font-medium whitespace-nowrap text-slate-500 hover:text-slate-900">
            API docs
          </Link>
          {/* The account's e-mail opens its settings (the Account page), as in most dashboards: one link fewer in the bar. */}
          {email && (
            <Link
              href="/dashboard/account"
              aria-current={pathname.startsWith("/dashboard/account") ? "page" : undefined}
              className={cn(
                "hidden max-w-[14rem] truncate rounded-md px-2 py-1.5 text-sm sm:inline",
                pathname.startsWith("/dashboard/account") ? "bg-slate-100 text-slate-900" : "text-slate-500 hover:bg-slate-50 hover:text-slate-900",
              )}
              data-testid="user-email"
              title={`${email}: account settings`}
            >
              {email}
            </Link>
          )}
          <button
            type="button"
            onClick={() => signOut({ callbackUrl: "/login" })}
            className="rounded-md px-3 py-1.5 text-sm font-medium whitespace-nowrap text-slate-600 ring-1 ring-inset ring-slate-200 transition-colors hover:bg-slate-50 hover:text-slate-900"
          >
            Sign out
          </button>
        </div>
      </div>
    </header>
  );
}
