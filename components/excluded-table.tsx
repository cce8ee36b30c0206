import Link from "next/link";
import { exclusionLabel, formatCount } from "@/lib/client/format";

/**
 * Why URLs were left out of the sitemap, most frequent reason first. With `reasonHref`, each reason is a link (the
 * run page's URL table filtered by that reason).
 */
export function ExcludedTable({ byReason, reasonHref }: { byReason: Record<string, number>; reasonHref?: (reason: string) => string }) {
  const rows = Object.entries(byReason)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((s, [, n]) => s + n, 0);
  if (rows.length === 0) {
    return <p className="px-5 py-4 text-sm text-slate-500" data-testid="excluded-none">No URLs were left out.</p>;
  }
  return (
    <table className="w-full text-sm" data-testid="excluded-table">
      <caption className="sr-only">URLs left out of the sitemap, by reason</caption>
      <thead>
        <tr className="border-b border-slate-100 text-left text-xs font-medium uppercase tracking-wide text-slate-500">
          <th scope="col" className="px-5 pt-3 pb-2 font-medium">Left out, by reason</th>
          <th scope="col" className="px-5 pt-3 pb-2 text-right font-medium">URLs</th>
          <th scope="col" className="hidden w-40 px-5 py-2 font-medium sm:table-cell"><span className="sr-only">Share</span></th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map(([reason, n]) => {
          const { label, hint } = exclusionLabel(reason);
          const share = total ? n / total : 0;
          return (
            <tr key={reason} data-testid="excluded-row" data-reason={reason}>
              <td className="px-5 py-2.5">
                {reasonHref ? (
                  <Link href={reasonHref(reason)} className="font-medium text-indigo-700 hover:text-indigo-500 hover:underline" data-testid="excluded-link">
                    {label}
                  </Link>
                ) : (
                  <div className="font-medium text-slate-800">{label}</div>
                )}
                {hint && <div className="text-xs text-slate-500">{hint}</div>}
              </td>
              <td className="px-5 py-2.5 text-right tabular-nums text-slate-700">{formatCount(n)}</td>
              <td className="hidden px-5 py-2.5 sm:table-cell">
                <div className="h-1.5 w-full rounded-full bg-slate-100" aria-hidden="true">
                  <div className="h-full rounded-full bg-slate-400" style={{ width: `${Math.max(2, share * 100)}%` }} />
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
