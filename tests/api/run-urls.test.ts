import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { GET as getUrls } from "@/app/api/v1/runs/[id]/urls/route";
import { GET as getDuplicates } from "@/app/api/v1/runs/[id]/duplicates/route";
import { POST as create } from "@/app/api/v1/sitemaps/route";
import { csvField } from "@/lib/api/run-urls";
import { claimRun, finishRun } from "@/lib/db/runs";
import { getDb } from "@/lib/db/client";
import { collapseDuplicates } from "@/lib/db/run-urls";
import { INVENTORY_CSV_COLUMNS, ZDuplicateClusterDto, ZRunUrlDto } from "@/lib/schemas/run-urls";
import { ZListBody } from "@/lib/schemas/common";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { ctx, expectError, mockSession, req, seedUser, sitemapBody } from "./helpers";

afterEach(() => mockSession(null));

/** A minimal RFC 4180 parser (quoted fields, doubled quotes, CRLF records), to read the CSV back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  if (field !== "" || row.length) throw new Error("CSV does not end with CRLF");
  return rows;
}

describe("csvField", () => {
  it("quotes per RFC 4180 and guards formulas", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('a "b", c')).toBe('"a ""b"", c"');
    expect(csvField("line\nbreak")).toBe('"line\nbreak"');
    expect(csvField("=HYPERLINK(\"x\")")).toBe("\"'=HYPERLINK(\"\"x\"\")\"");
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("-2")).toBe("'-2");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("\tx")).toBe("'\tx");
    expect(csvField(-3)).toBe("-3"); // numbers are ours, never a formula
    expect(csvField(null)).toBe("");
    expect(csvField(true)).toBe("true");
  });
});

for (const backend of testBackends()) {
  describe(`run URL inventory API on ${backend.name}`, () => {
    useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let bob: Awaited<ReturnType<typeof seedUser>>;
    let runId = "";
    let publishedId = "";
    const base = "https://docs.example.com";
    const many = 650; // more than two CSV pages of 300

    beforeAll(async () => {
      alice = await seedUser();
      bob = await seedUser();
      const sm = (await (await create(req("POST", "/api/v1/sitemaps", { key: alice.key, body: sitemapBody() }), ctx())).json()).data as { id: string };
      const db = getDb();
      const first = (await claimRun({ sitemapId: sm.id, trigger: "api" }))!;
      publishedId = first.id;
      await db.runUrl.createMany({
        data: [
          { runId: first.id, url: `${base}/`, status: 200, included: true, depth: 0 },
          { runId: first.id, url: `${base}/a`, status: 200, included: true, depth: 1 },
          { runId: first.id, url: `${base}/old`, status: 200, included: true, depth: 1 },
          { runId: first.id, url: `${base}/private/x`, status: 200, included: true, depth: 1 },
        ],
      });
      await finishRun(first.id, { status: "succeeded", bytesWritten: 1, filesWritten: 1, urlsWritten: 1 });
      await db.sitemap.update({ where: { id: sm.id }, data: { publishedRunId: first.id } });

      const second = (await claimRun({ sitemapId: sm.id, trigger: "api" }))!;
      runId = second.id;
      await db.runUrl.createMany({
        data: [
          { runId, url: `${base}/`, status: 200, included: true, depth: 0, inlinks: 40, contentHash: "h-home", contentType: "text/html", lastmod: new Date("2026-01-02T00:00:00Z"), lastmodSource: "content" },
          { runId, url: `${base}/index.html`, status: 200, included: true, depth: 1, inlinks: 1, foundOn: `${base}/`, contentHash: "h-home", contentType: "text/html" },
          { runId, url: `${base}/a`, status: 200, included: true, depth: 1, inlinks: 3, foundOn: `${base}/`, contentHash: "h-a", contentType: "text/html", lastmod: new Date("2025-12-01T00:00:00Z"), lastmodSource: "server" },
          { runId, url: `${base}/a?page=1`, status: 200, included: true, depth: 2, inlinks: 3, foundOn: `${base}/a`, contentHash: "h-a", contentType: "text/html" },
          { runId, url: `${base}/b`, status: 200, included: false, reason: "canonical_elsewhere", target: `${base}/a`, depth: 1, inlinks: 2, foundOn: `${base}/`, contentHash: "h-b", contentType: "text/html" },
          { runId, url: `${base}/moved`, status: 301, included: false, reason: "redirect", target: `${base}/a`, detail: { redirectKind: "http" }, depth: 1, inlinks: 1, foundOn: `${base}/` },
          { runId, url: `${base}/private/x`, status: null, included: false, reason: "robots_disallowed", detail: { robotsRule: "Disallow: /private/", robotsLine: 3 }, depth: 2, inlinks: 1, foundOn: `${base}/a` },
          { runId, url: `${base}/hidden`, status: 200, included: false, reason: "noindex_header", detail: { noindex: ["x-robots-tag", "meta"] }, depth: 1, inlinks: 1, foundOn: `${base}/`, contentType: "text/html" },
          { runId, url: `${base}/report.pdf`, status: 200, included: false, reason: "not_html", depth: 1, inlinks: 1, foundOn: `${base}/`, contentType: "application/pdf" },
          { runId, url: `${base}/gone`, status: 404, included: false, reason: "http_error", depth: 1, inlinks: 1, foundOn: `${base}/a` },
          { runId, url: `${base}/50%_off`, status: 200, included: true, depth: 1, foundOn: `${base}/`, contentType: "=cmd|' /C calc'!A0" },
          ...Array.from({ length: many }, (_, i) => ({ runId, url: `${base}/p/${String(i).padStart(4, "0")}`, status: 200, included: true, depth: 3, foundOn: `${base}/a`, contentType: "text/html" })),
        ],
      });
      await finishRun(second.id, { status: "succeeded", bytesWritten: 1, filesWritten: 1, urlsWritten: 1 });
    });

    const list = (query: string, key = alice.key, id = runId, headers?: Record<string, string>) =>
      getUrls(req("GET", `/api/v1/runs/${id}/urls${query}`, { key, headers }), ctx({ id }));
    const paths = (body: { data: { url: string }[] }) => body.data.map((r) => r.url.slice(base.length));
    const rows = async (query: string) => ZListBody(ZRunUrlDto.strict()).parse(await (await list(query)).json());

    it("lists every URL with status, reason, detail, depth, found on, inlinks, lastmod and its source, cluster", async () => {
      const body = await rows("?size=12");
      expect(body.data).toHaveLength(12);
      const by = new Map(body.data.map((r) => [r.url.slice(base.length), r]));
      expect(by.get("/")).toEqual({
        url: `${base}/`, status: 200, listed: true, reason: null, detail: null, depth: 0, foundOn: null, inlinks: 40, contentType: "text/html",
        lastmod: "2026-01-02T00:00:00.000Z", lastmodSource: "content", cluster: "h-home", published: true,
      });
      expect(by.get("/b")).toMatchObject({ listed: false, reason: "canonical_elsewhere", detail: { target: `${base}/a` }, cluster: null, published: false });
      expect(by.get("/moved")).toMatchObject({ status: 301, reason: "redirect", detail: { target: `${base}/a`, redirectKind: "http" } });
      expect(by.get("/hidden")).toMatchObject({ reason: "noindex_header", detail: { noindex: ["x-robots-tag", "meta"] } });
      expect(by.get("/a")).toMatchObject({ lastmodSource: "server", cluster: "h-a", foundOn: `${base}/`, inlinks: 3, published: true });
      expect(by.get("/a?page=1")).toMatchObject({ cluster: "h-a", published: false });
    });

    it("filters: listed, reason, status, depth, content type, URL contains (LIKE escaped), cluster, found on", async () => {
      expect(paths(await rows("?filter[listed]=false&size=50"))).toEqual(["/b", "/gone", "/hidden", "/moved", "/private/x", "/report.pdf"]);
      expect(paths(await rows("?filter[reason]=robots_disallowed"))).toEqual(["/private/x"]);
      expect((await rows("?filter[reason]=robots_disallowed")).data[0].detail).toEqual({ robotsRule: "Disallow: /private/", robotsLine: 3 });
      expect(paths(await rows("?filter[reason][in]=redirect,http_error"))).toEqual(["/gone", "/moved"]);
      expect(paths(await rows("?filter[status][gte]=300&sort=status:desc"))).toEqual(["/gone", "/moved"]);
      expect(paths(await rows("?filter[status]=null"))).toEqual(["/private/x"]);
      expect(paths(await rows("?filter[depth][lte]=0"))).toEqual(["/"]);
      expect(paths(await rows("?filter[contentType]=application/pdf"))).toEqual(["/report.pdf"]);
      expect(paths(await rows("?filter[url][contains]=50%25_"))).toEqual(["/50%_off"]);
      expect(paths(await rows("?filter[url][contains]=0%25"))).toEqual(["/50%_off"]); // % is literal, not a wildcard
      expect(paths(await rows("?filter[url][contains]=_OFF"))).toEqual(["/50%_off"]); // case-insensitive; _ literal
      expect(paths(await rows("?filter[cluster]=h-a"))).toEqual(["/a", "/a?page=1"]);
      expect(paths(await rows(`?filter[foundOn]=${encodeURIComponent(`${base}/a`)}&filter[depth][lt]=3`))).toEqual(["/a?page=1", "/gone", "/private/x"]);
    });

    it("filters by in the published files or not (another run than the published one, and the published run itself)", async () => {
      // Published run lists /, /a, /old, /private/x.
      expect(paths(await rows("?filter[published]=true"))).toEqual(["/", "/a", "/private/x"]);
      const notPub = await rows("?filter[published]=false&size=5");
      expect(paths(notPub)).toEqual(["/50%_off", "/a?page=1", "/b", "/gone", "/hidden"]);
      const next = await rows(`?filter[published]=false&size=5&cursor=${notPub.next_cursor}`);
      expect(paths(next)).toEqual(["/index.html", "/moved", "/p/0000", "/p/0001", "/p/0002"]);
      expect(paths(await rows("?filter[published][ne]=true&filter[url][contains]=/b"))).toEqual(["/b"]);
      expect(paths(await rows("?filter[published]=true&filter[published]=false"))).toEqual([]);
      const own = ZListBody(ZRunUrlDto.strict()).parse(await (await list("?filter[published]=true", alice.key, publishedId)).json());
      expect(paths(own)).toEqual(["/", "/a", "/old", "/private/x"]);
      expect(own.data.every((r) => r.published)).toBe(true);
    });

    it("sorts by url, depth, status, inlinks with stable keyset pages", async () => {
      // Ties go by url in the same direction (the keyset tie-breaker).
      expect(paths(await rows("?sort=inlinks:desc&size=3"))).toEqual(["/", "/a?page=1", "/a"]);
      expect(paths(await rows("?sort=depth:asc&size=2"))).toEqual(["/", "/50%_off"]);
      expect(paths(await rows("?sort=url:desc&size=1"))).toEqual(["/report.pdf"]);
      // Walk all pages sorted by inlinks: every URL exactly once.
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { data: { url: string }[]; next_cursor: string | null } = await rows(`?sort=inlinks:asc&size=300${cursor ? `&cursor=${cursor}` : ""}`);
        seen.push(...paths(page));
        cursor = page.next_cursor;
      } while (cursor);
      expect(seen).toHaveLength(11 + many);
      expect(new Set(seen).size).toBe(11 + many);
      expect(seen.slice(-2)).toEqual(["/a?page=1", "/"]);
    });

    it("streams the whole inventory as CSV (Accept or ?format=csv), with the same filters, quoting and the formula guard", async () => {
      const res = await list("", alice.key, runId, { accept: "text/csv" });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/csv; charset=utf-8/);
      expect(res.headers.get("content-disposition")).toContain(`run-${runId}-urls.csv`);
      const table = parseCsv(await res.text());
      expect(table[0]).toEqual([...INVENTORY_CSV_COLUMNS]);
      expect(table).toHaveLength(1 + 11 + many);
      const col = (name: string) => INVENTORY_CSV_COLUMNS.indexOf(name as (typeof INVENTORY_CSV_COLUMNS)[number]);
      const row = (p: string) => table.find((r) => r[0] === base + p)!;
      expect(row("/50%_off")[col("contentType")]).toBe("'=cmd|' /C calc'!A0");
      expect(row("/hidden")[col("noindex")]).toBe("x-robots-tag meta");
      expect(row("/private/x")[col("robotsRule")]).toBe("Disallow: /private/");
      expect(row("/moved")[col("redirectKind")]).toBe("http");
      expect(row("/moved")[col("target")]).toBe(`${base}/a`);
      expect(row("/")[col("cluster")]).toBe("h-home");
      expect(row("/")[col("published")]).toBe("true");
      expect(row("/private/x")[col("status")]).toBe("");
      expect(table.slice(1).map((r) => r[0])).toEqual([...table.slice(1).map((r) => r[0])].sort()); // url:asc

      const filtered = parseCsv(await (await list("?format=csv&filter[listed]=false&sort=url:desc&size=2")).text());
      expect(filtered.slice(1).map((r) => r[0].slice(base.length))).toEqual(["/report.pdf", "/private/x", "/moved", "/hidden", "/gone", "/b"]);
      const pub = parseCsv(await (await list("?format=csv&filter[published]=false")).text());
      expect(pub).toHaveLength(1 + 11 + many - 3);
      // ?format=json wins over Accept.
      expect((await list("?format=json", alice.key, runId, { accept: "text/csv" })).headers.get("content-type")).toMatch(/json/);
    });

    it("streams the CSV page by page: the header, then one chunk per keyset page of 300 rows, pulled as read", async () => {
      const res = await list("?format=csv");
      const reader = res.body!.getReader();
      const dec = new TextDecoder();
      const chunks: string[] = [];
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(dec.decode(value));
      }
      const lines = (c: string) => c.split("\r\n").length - 1;
      expect(chunks.map(lines)).toEqual([1, 300, 300, 11 + many - 600]);
    });

    it("rejects bad filters, sorts and formats with 400; 404 for another account's run", async () => {
      await expectError(await list("?filter[reason]=nope"), 400, "invalid_value", "filter[reason]");
      await expectError(await list("?sort=reason:asc"), 400, "unknown_field", "reason");
      await expectError(await list("?sort=published:asc"), 400, "unknown_field", "published");
      await expectError(await list("?filter[listed][gt]=true"), 400, "unknown_operation", "filter[listed][gt]");
      await expectError(await list("?filter[secret]=1"), 400, "unknown_field", "secret");
      await expectError(await list("?format=xml"), 400, "invalid_value", "format");
      await expectError(await list("?format=csv&sort=bogus:asc"), 400, "unknown_field", "bogus");
      await expectError(await list("", bob.key), 404, "not_found");
      await expectError(await list("?format=csv", bob.key), 404, "not_found");
    });

    it("lists duplicate clusters with their kept URL (most inlinks, then shortest, then byte order)", async () => {
      const dup = (query: string, id = runId) => getDuplicates(req("GET", `/api/v1/runs/${id}/duplicates${query}`, { key: alice.key }), ctx({ id }));
      const body = ZListBody(ZDuplicateClusterDto.strict()).parse(await (await dup("")).json());
      expect(body.data.map((c) => [c.id, c.size, c.listed, c.kept.slice(base.length)])).toEqual([
        ["h-home", 2, 2, "/"],
        ["h-a", 2, 2, "/a"],
      ]);
      expect(body.data[1].urls.map((u) => u.url.slice(base.length))).toEqual(["/a", "/a?page=1"]);
      const p1 = await (await dup("?size=1&sort=id:asc")).json();
      expect(p1.data.map((c: { id: string }) => c.id)).toEqual(["h-a"]);
      const p2 = await (await dup(`?size=1&sort=id:asc&cursor=${p1.next_cursor}`)).json();
      expect(p2.data.map((c: { id: string }) => c.id)).toEqual(["h-home"]);
      expect(p2.next_cursor).toBeNull();
      expect((await (await dup("?filter[size][gt]=2")).json()).data).toEqual([]);
      await expectError(await dup("?members=0"), 400, "invalid_value", "members");
      await expectError(await dup("?sort=kept:asc"), 400, "unknown_field", "kept");
    });

    it("collapseDuplicates keeps one URL per cluster (/ over /index.html; /a over /a?page=1 on equal inlinks) and is idempotent", async () => {
      expect(await collapseDuplicates(runId)).toBe(2);
      expect(await collapseDuplicates(runId)).toBe(0);
      const out = await rows("?filter[reason]=duplicate");
      expect(out.data.map((r) => [r.url.slice(base.length), r.detail?.target?.slice(base.length), r.listed])).toEqual([
        ["/a?page=1", "/a", false],
        ["/index.html", "/", false],
      ]);
      const body = ZListBody(ZDuplicateClusterDto.strict()).parse(
        await (await getDuplicates(req("GET", `/api/v1/runs/${runId}/duplicates`, { key: alice.key }), ctx({ id: runId }))).json(),
      );
      expect(body.data.map((c) => [c.size, c.listed, c.kept.slice(base.length)])).toEqual([
        [2, 1, "/"],
        [2, 1, "/a"],
      ]);
    });
  });
}
