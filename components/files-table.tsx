import type { SitemapFileDto } from "@/lib/client/sitemaps";
import { TableShell } from "./query-states";
import { buttonClass } from "./ui/button";
import { formatBytes, formatCount, formatDateTime, formatRelative } from "@/lib/client/format";

const KIND_LABEL: Record<string, string> = { urlset: "urlset", sitemapindex: "sitemap index", txt: "text", json: "JSON" };

/** The files served now (the published run's), with their download links. */
export function FilesTable({ files }: { files: SitemapFileDto[] }) {
  return (
    <TableShell testId="files-table" caption="Published files" head={<>
            <th scope="col" className="px-5 py-2 font-medium">File</th>
            <th scope="col" className="px-4 py-2 text-right font-medium">URLs</th>
            <th scope="col" className="px-4 py-2 text-right font-medium">Size</th>
            <th scope="col" className="px-5 py-2"><span className="sr-only">Actions</span></th>
    </>}>
          {files.map((f) => (
            <tr key={f.name} data-testid="file-row" data-file={f.name}>
              <td className="px-5 py-2.5">
                <a
                  href={f.public_url}
                  target="_blank"
                  rel="noreferrer"
                  className="font-mono text-[13px] font-medium whitespace-nowrap text-indigo-700 hover:underline"
                  data-testid="file-name"
                  title={f.public_url}
                >
                  {f.name}
                </a>
                <div className="mt-0.5 text-xs text-slate-500">
                  {KIND_LABEL[f.kind] ?? f.kind} · <span title={formatDateTime(f.createdAt)}>published {formatRelative(f.createdAt)}</span>
                </div>
              </td>
              <td className="px-4 py-2.5 text-right tabular-nums whitespace-nowrap text-slate-700" data-testid="file-url-count">
                {formatCount(f.urlCount)}
              </td>
              <td className="px-4 py-2.5 text-right tabular-nums whitespace-nowrap text-slate-700" title={`${formatCount(f.bytes)} bytes`}>
                {formatBytes(f.bytes)}
              </td>
              <td className="px-5 py-2.5 text-right">
                <a
                  href={f.download_url}
                  download={f.name}
                  className={buttonClass("secondary", "sm")}
                  data-testid="file-download"
                  aria-label={`Download ${f.name}`}
                >
                  <svg viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.6" className="size-4" aria-hidden="true">
                    <path d="M10 3v10m0 0-4-4m4 4 4-4M4 16h12" strokeLinecap="round" strokeLinejoin="round" />
                  </svg>
                  Download
                </a>
              </td>
            </tr>
          ))}
    </TableShell>
  );
}
