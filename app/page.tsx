import { Logo } from "@/components/logo";
import { ButtonLink } from "@/components/ui/button";

const POINTS = [
  { title: "Crawls like a good citizen", body: "Honours robots.txt, noindex and canonicals, and tells you why every left-out URL was left out." },
  { title: "Correct sitemaps", body: "Valid sitemaps.org XML, split at 50,000 URLs or 50 MiB with an index, optionally gzipped." },
  { title: "Yours to run", body: "Self-hosted, with a dashboard and an API key–authenticated REST API for automation." },
];

export default function LandingPage() {
  return (
    <div className="flex min-h-screen flex-col">
      <header className="mx-auto flex w-full max-w-5xl items-center justify-between px-6 py-5">
        <Logo />
        <ButtonLink href="/login" variant="ghost" size="sm">
          Sign in
        </ButtonLink>
      </header>
      <main className="mx-auto flex w-full max-w-5xl flex-1 flex-col items-center justify-center px-6 pb-20 text-center">
        <span className="mb-5 rounded-full bg-indigo-50 px-3 py-1 text-xs font-medium text-indigo-700 ring-1 ring-inset ring-indigo-600/10">
          Self-hostable · open source
        </span>
        <h1 className="max-w-2xl text-4xl font-semibold tracking-tight text-slate-900 sm:text-5xl">Sitemap Forge</h1>
        <p className="mt-5 max-w-xl text-lg text-slate-600" data-testid="tagline">
          Crawl your website and publish an always-correct XML sitemap that search engines can fetch from your own server.
        </p>
        <div className="mt-8 flex flex-wrap justify-center gap-3">
          <ButtonLink href="/signup" className="h-10 px-5">
            Create account
          </ButtonLink>
          <ButtonLink href="/login" variant="secondary" className="h-10 px-5">
            Sign in
          </ButtonLink>
        </div>
        <ul className="mt-16 grid w-full gap-4 text-left sm:grid-cols-3">
          {POINTS.map((p) => (
            <li key={p.title} className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
              <h2 className="text-sm font-semibold text-slate-900">{p.title}</h2>
              <p className="mt-1.5 text-sm text-slate-500">{p.body}</p>
            </li>
          ))}
        </ul>
      </main>
      <footer className="py-6 text-center text-xs text-slate-400">Sitemap Forge — sitemaps.org protocol 0.9</footer>
    </div>
  );
}
