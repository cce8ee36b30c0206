import Link from "next/link";

/** The mark and the name; `compact` hides the name on small screens (the mark stays as the home link). */
export function Logo({ href = "/", className, compact }: { href?: string; className?: string; compact?: boolean }) {
  return (
    <Link href={href} aria-label="Sitemap Forge" className={`inline-flex shrink-0 items-center gap-2 font-semibold tracking-tight whitespace-nowrap text-slate-900 ${className ?? ""}`}>
      {/* eslint-disable-next-line @next/next/no-img-element -- a 24 px static SVG needs no image optimisation */}
      <img src="/logo.svg" alt="" width={24} height={24} className="size-6" />
      <span className={compact ? "hidden sm:inline" : undefined}>Sitemap Forge</span>
    </Link>
  );
}
