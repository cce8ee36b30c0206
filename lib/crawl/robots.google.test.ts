/**
 * google/robotstxt robots_test.cc (https://github.com/google/robotstxt, Apache-2.0), ported case by case onto our
 * parser. Every `ID_*` test (RFC 9309 behaviour) is here; `GoogleOnly_*` tests are ported where we implement the
 * same behaviour (missing colon, first word of a user-agent, line length). Deliberate differences, each marked
 * "RFC 9309" below:
 * - §2.2.2: percent-encoded unreserved characters equal their literal ("%62%61%7A" = "baz"); Google compares them
 *   as different strings and says in its own comment that this "should not be relied on".
 * - §2.2.2: non-ASCII in the URL is percent-encoded before comparison (we parse URLs by WHATWG rules), so
 *   ".../ツ" and ".../%E3%83%84" are the same path; Google expects the caller to have encoded the URL.
 * - GoogleOnly_IndexHTMLisDirectory is not implemented (not in the RFC).
 */
import { describe, expect, it } from "vitest";
import { parseRobotsTxt, ROBOTS_MAX_LINE_LENGTH, tokenizeRobotsTxt } from "./robots";

/** IsUserAgentAllowed(robotstxt, useragent, url) of robots_test.cc. */
const allowed = (robotstxt: string | Buffer, useragent: string, url: string) => parseRobotsTxt(robotstxt, "http://foo.bar", useragent).isAllowed(url);

/** RobotsStatsReporter of robots_test.cc: counts recognised and unknown directives, last line seen, sitemap. */
function report(robotstxt: string | Buffer) {
  const lines = tokenizeRobotsTxt(robotstxt);
  const known = lines.filter((l) => l.key !== "unknown" && l.key !== "crawl-delay");
  return {
    validDirectives: known.length,
    unknownDirectives: lines.filter((l) => l.key === "unknown").length,
    lastLineSeen: lines.length ? lines[lines.length - 1].line : 0,
    sitemap: lines.filter((l) => l.key === "sitemap").map((l) => l.value).join(""),
  };
}

describe("google/robotstxt robots_test.cc", () => {
  it("GoogleOnly_SystemTest", () => {
    const robotstxt = "user-agent: FooBot\ndisallow: /\n";
    expect(allowed("", "FooBot", "")).toBe(true); // empty robots.txt: everything allowed
    expect(allowed(robotstxt, "", "")).toBe(true); // empty user-agent to be matched: everything allowed
    expect(allowed(robotstxt, "FooBot", "")).toBe(false); // empty url: implicitly "/", disallowed
    expect(allowed("", "", "")).toBe(true);
  });

  it("ID_LineSyntax_Line (incl. Google's accepted missing colon)", () => {
    const correct = "user-agent: FooBot\ndisallow: /\n";
    const incorrect = "foo: FooBot\nbar: /\n";
    const incorrectAccepted = "user-agent FooBot\ndisallow /\n";
    const url = "http://foo.bar/x/y";
    expect(allowed(correct, "FooBot", url)).toBe(false);
    expect(allowed(incorrect, "FooBot", url)).toBe(true);
    expect(allowed(incorrectAccepted, "FooBot", url)).toBe(false);
  });

  it("ID_LineSyntax_Groups", () => {
    const robotstxt =
      "allow: /foo/bar/\n\nuser-agent: FooBot\ndisallow: /\nallow: /x/\nuser-agent: BarBot\ndisallow: /\nallow: /y/\n\n\n" +
      "allow: /w/\nuser-agent: BazBot\n\nuser-agent: FooBot\nallow: /z/\ndisallow: /\n";
    const [w, x, y, z, foo] = ["/w/a", "/x/b", "/y/c", "/z/d", "/foo/bar/"].map((p) => `http://foo.bar${p}`);
    expect(allowed(robotstxt, "FooBot", x)).toBe(true);
    expect(allowed(robotstxt, "FooBot", z)).toBe(true);
    expect(allowed(robotstxt, "FooBot", y)).toBe(false);
    expect(allowed(robotstxt, "BarBot", y)).toBe(true);
    expect(allowed(robotstxt, "BarBot", w)).toBe(true);
    expect(allowed(robotstxt, "BarBot", z)).toBe(false);
    expect(allowed(robotstxt, "BazBot", z)).toBe(true);
    // Lines with rules outside groups are ignored.
    expect(allowed(robotstxt, "FooBot", foo)).toBe(false);
    expect(allowed(robotstxt, "BarBot", foo)).toBe(false);
    expect(allowed(robotstxt, "BazBot", foo)).toBe(false);
  });

  it("ID_REPLineNamesCaseInsensitive", () => {
    for (const robotstxt of [
      "USER-AGENT: FooBot\nALLOW: /x/\nDISALLOW: /\n",
      "user-agent: FooBot\nallow: /x/\ndisallow: /\n",
      "uSeR-aGeNt: FooBot\nAlLoW: /x/\ndIsAlLoW: /\n",
    ]) {
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/x/y")).toBe(true);
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/a/b")).toBe(false);
    }
  });

  it("ID_UserAgentValueCaseInsensitive", () => {
    for (const robotstxt of [
      "User-Agent: FOO BAR\nAllow: /x/\nDisallow: /\n",
      "User-Agent: foo bar\nAllow: /x/\nDisallow: /\n",
      "User-Agent: FoO bAr\nAllow: /x/\nDisallow: /\n",
    ]) {
      for (const ua of ["Foo", "foo"]) {
        expect(allowed(robotstxt, ua, "http://foo.bar/x/y")).toBe(true);
        expect(allowed(robotstxt, ua, "http://foo.bar/a/b")).toBe(false);
      }
    }
  });

  it("GoogleOnly_AcceptUserAgentUpToFirstSpace (we match by product token: 'Foo Bar' means Foo)", () => {
    const robotstxt = "User-Agent: *\nDisallow: /\nUser-Agent: Foo Bar\nAllow: /x/\nDisallow: /\n";
    expect(allowed(robotstxt, "Foo", "http://foo.bar/x/y")).toBe(true);
    // Google refuses "Foo Bar" as an agent to obey; we take its product token "Foo", like a User-Agent string.
    expect(allowed(robotstxt, "Foo Bar", "http://foo.bar/x/y")).toBe(true);
  });

  it("ID_GlobalGroups_Secondary", () => {
    const empty = "";
    const global = "user-agent: *\nallow: /\nuser-agent: FooBot\ndisallow: /\n";
    const onlySpecific = "user-agent: FooBot\nallow: /\nuser-agent: BarBot\ndisallow: /\nuser-agent: BazBot\ndisallow: /\n";
    const url = "http://foo.bar/x/y";
    expect(allowed(empty, "FooBot", url)).toBe(true);
    expect(allowed(global, "FooBot", url)).toBe(false);
    expect(allowed(global, "BarBot", url)).toBe(true);
    expect(allowed(onlySpecific, "QuxBot", url)).toBe(true);
  });

  it("ID_AllowDisallow_Value_CaseSensitive", () => {
    expect(allowed("user-agent: FooBot\ndisallow: /x/\n", "FooBot", "http://foo.bar/x/y")).toBe(false);
    expect(allowed("user-agent: FooBot\ndisallow: /X/\n", "FooBot", "http://foo.bar/x/y")).toBe(true);
  });

  it("ID_LongestMatch", () => {
    const url = "http://foo.bar/x/page.html";
    expect(allowed("user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/\n", "FooBot", url)).toBe(false);
    {
      const robotstxt = "user-agent: FooBot\nallow: /x/page.html\ndisallow: /x/\n";
      expect(allowed(robotstxt, "FooBot", url)).toBe(true);
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/x/")).toBe(false);
    }
    // Equivalent allow and disallow patterns: allow wins.
    expect(allowed("user-agent: FooBot\ndisallow: \nallow: \n", "FooBot", url)).toBe(true);
    expect(allowed("user-agent: FooBot\ndisallow: /\nallow: /\n", "FooBot", url)).toBe(true);
    {
      const robotstxt = "user-agent: FooBot\ndisallow: /x\nallow: /x/\n";
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/x")).toBe(false);
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/x/")).toBe(true);
    }
    expect(allowed("user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/page.html\n", "FooBot", url)).toBe(true);
    {
      const robotstxt = "user-agent: FooBot\nallow: /page\ndisallow: /*.html\n";
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/page.html")).toBe(false);
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/page")).toBe(true);
    }
    {
      const robotstxt = "user-agent: FooBot\nallow: /x/page.\ndisallow: /*.html\n";
      expect(allowed(robotstxt, "FooBot", url)).toBe(true);
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/x/y.html")).toBe(false);
    }
    {
      // Most specific group for FooBot allows implicitly /x/page.
      const robotstxt = "User-agent: *\nDisallow: /x/\nUser-agent: FooBot\nDisallow: /y/\n";
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/x/page")).toBe(true);
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/y/page")).toBe(false);
    }
  });

  it("ID_Encoding", () => {
    // /foo/bar?baz=http://foo.bar stays unencoded.
    expect(
      allowed(
        "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar?qux=taz&baz=http://foo.bar?tar&par\n",
        "FooBot",
        "http://foo.bar/foo/bar?qux=taz&baz=http://foo.bar?tar&par",
      ),
    ).toBe(true);
    // 3-byte character in the pattern: /foo/bar/ツ -> /foo/bar/%E3%83%84
    {
      const robotstxt = "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/ツ\n";
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/foo/bar/%E3%83%84")).toBe(true);
      // RFC 9309 §2.2.2: the URL is percent-encoded before comparison too (Google: false, caller's job).
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/foo/bar/ツ")).toBe(true);
    }
    // Percent-encoded 3-byte character in the pattern.
    {
      const robotstxt = "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%E3%83%84\n";
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/foo/bar/%E3%83%84")).toBe(true);
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/foo/bar/%e3%83%84")).toBe(true); // hex case is not significant
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/foo/bar/ツ")).toBe(true); // RFC 9309, as above
    }
    // Percent-encoded unreserved US-ASCII: RFC 9309 §2.2.2 decodes them (Google: "/foo/bar/baz" false).
    {
      const robotstxt = "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%62%61%7A\n";
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/foo/bar/baz")).toBe(true);
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/foo/bar/%62%61%7A")).toBe(true);
    }
  });

  it("ID_SpecialCharacters", () => {
    {
      const robotstxt = "User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n";
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/foo/bar/quz")).toBe(false);
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/foo/quz")).toBe(true);
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/foo//quz")).toBe(true);
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/foo/bax/quz")).toBe(true);
    }
    {
      const robotstxt = "User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n";
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/foo/bar")).toBe(false);
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/foo/bar/qux")).toBe(true);
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/foo/bar/")).toBe(true);
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/foo/bar/baz")).toBe(true);
    }
    {
      const robotstxt = "User-agent: FooBot\n# Disallow: /\nDisallow: /foo/quz#qux\nAllow: /\n";
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/foo/bar")).toBe(true);
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/foo/quz")).toBe(false);
    }
  });

  it("GoogleOnly_LineTooLong (lines cut at 8 × 2,083 bytes)", () => {
    const kMaxLineLen = 2083 * 8;
    expect(ROBOTS_MAX_LINE_LENGTH).toBe(kMaxLineLen - 1);
    {
      let longline = "/x/";
      const maxLength = kMaxLineLen - longline.length - "disallow: ".length + 1;
      while (longline.length < maxLength) longline += "a";
      const robotstxt = `user-agent: FooBot\ndisallow: ${longline}/qux\n`;
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/fux")).toBe(true);
      expect(allowed(robotstxt, "FooBot", `http://foo.bar${longline}/fux`)).toBe(false); // matches the cut rule
    }
    {
      let a = "/x/";
      let b = "/x/";
      const maxLength = kMaxLineLen - a.length - "allow: ".length + 1;
      while (a.length < maxLength) {
        a += "a";
        b += "b";
      }
      const robotstxt = `user-agent: FooBot\ndisallow: /\nallow: ${a}/qux\nallow: ${b}/qux\n`;
      expect(allowed(robotstxt, "FooBot", "http://foo.bar/")).toBe(false);
      expect(allowed(robotstxt, "FooBot", `http://foo.bar${a}/qux`)).toBe(true);
      expect(allowed(robotstxt, "FooBot", `http://foo.bar${b}/fux`)).toBe(true); // matches the cut allow rule
    }
  });

  it("GoogleOnly_DocumentationChecks", () => {
    const check = (rule: string, yes: string[], no: string[]) => {
      const robotstxt = `user-agent: FooBot\ndisallow: /\nallow: ${rule}\n`;
      for (const p of yes) expect(allowed(robotstxt, "FooBot", `http://foo.bar${p}`), `${rule} ${p}`).toBe(true);
      for (const p of no) expect(allowed(robotstxt, "FooBot", `http://foo.bar${p}`), `${rule} ${p}`).toBe(false);
    };
    const fish = ["/fish", "/fish.html", "/fish/salmon.html", "/fishheads", "/fishheads/yummy.html", "/fish.html?id=anything"];
    check("/fish", fish, ["/bar", "/Fish.asp", "/catfish", "/?id=fish"]);
    check("/fish*", fish, ["/bar", "/Fish.bar", "/catfish", "/?id=fish"]);
    check("/fish/", ["/fish/", "/fish/salmon", "/fish/?salmon", "/fish/salmon.html", "/fish/?id=anything"], ["/bar", "/fish", "/fish.html", "/Fish/Salmon.html"]);
    check(
      "/*.php",
      ["/filename.php", "/folder/filename.php", "/folder/filename.php?parameters", "//folder/any.php.file.html", "/filename.php/", "/index?f=filename.php/"],
      ["/bar", "/php/", "/index?php", "/windows.PHP"],
    );
    check("/*.php$", ["/filename.php", "/folder/filename.php"], ["/bar", "/filename.php?parameters", "/filename.php/", "/filename.php5", "/php/", "/filename?php", "/aaaphpaaa", "//windows.PHP"]);
    check("/fish*.php", ["/fish.php", "/fishheads/catfish.php?parameters"], ["/bar", "/Fish.PHP"]);
    // Order of precedence for group-member records.
    expect(allowed("user-agent: FooBot\nallow: /p\ndisallow: /\n", "FooBot", "http://example.com/page")).toBe(true);
    expect(allowed("user-agent: FooBot\nallow: /folder\ndisallow: /folder\n", "FooBot", "http://example.com/folder/page")).toBe(true);
    expect(allowed("user-agent: FooBot\nallow: /page\ndisallow: /*.htm\n", "FooBot", "http://example.com/page.htm")).toBe(false);
    {
      const robotstxt = "user-agent: FooBot\nallow: /$\ndisallow: /\n";
      expect(allowed(robotstxt, "FooBot", "http://example.com/")).toBe(true);
      expect(allowed(robotstxt, "FooBot", "http://example.com/page.html")).toBe(false);
    }
  });

  it("ID_LinesNumbersAreCountedCorrectly: LF, CRLF, CR, no final newline, mixed", () => {
    const files = [
      "User-Agent: foo\nAllow: /some/path\nUser-Agent: bar\n\n\nDisallow: /\n",
      "User-Agent: foo\r\nAllow: /some/path\r\nUser-Agent: bar\r\n\r\n\r\nDisallow: /\r\n",
      "User-Agent: foo\rAllow: /some/path\rUser-Agent: bar\r\r\rDisallow: /\r",
      "User-Agent: foo\nAllow: /some/path\nUser-Agent: bar\n\n\nDisallow: /",
      "User-Agent: foo\nAllow: /some/path\r\nUser-Agent: bar\n\r\n\nDisallow: /",
    ];
    for (const f of files) {
      const r = report(f);
      expect(r.validDirectives, JSON.stringify(f)).toBe(4);
      expect(r.lastLineSeen, JSON.stringify(f)).toBe(6);
    }
    // And the rules of a CRLF file apply like those of an LF file.
    expect(allowed(files[1], "bar", "http://foo.bar/x")).toBe(false);
    expect(allowed(files[2], "foo", "http://foo.bar/some/path")).toBe(true);
  });

  it("ID_UTF8ByteOrderMarkIsSkipped: full and partial BOMs at the start; a BOM elsewhere spoils its line", () => {
    const rest = Buffer.from("User-Agent: foo\nAllow: /AnyValue\n");
    for (const bom of [[0xef, 0xbb, 0xbf], [0xef, 0xbb], [0xef]]) {
      const r = report(Buffer.concat([Buffer.from(bom), rest]));
      expect(r.validDirectives).toBe(2);
      expect(r.unknownDirectives).toBe(0);
    }
    // Broken BOM: the first line is garbage.
    const broken = report(Buffer.concat([Buffer.from([0xef, 0x11, 0xbf]), rest]));
    expect(broken.validDirectives).toBe(1);
    expect(broken.unknownDirectives).toBe(1);
    // BOM in the middle of the file.
    const middle = report(Buffer.concat([Buffer.from("User-Agent: foo\n"), Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("Allow: /AnyValue\n")]));
    expect(middle.validDirectives).toBe(1);
    expect(middle.unknownDirectives).toBe(1);
    // The rules after a leading BOM apply.
    expect(allowed(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("User-agent: *\nDisallow: /x\n")]), "Any", "http://foo.bar/x")).toBe(false);
  });

  it("ID_NonStandardLineExample_Sitemap: a Sitemap line anywhere in the file", () => {
    const loc = "http://foo.bar/sitemap.xml";
    const body = "User-Agent: foo\nAllow: /some/path\nUser-Agent: bar\n\n\n";
    expect(report(body + `Sitemap: ${loc}\n`).sitemap).toBe(loc);
    expect(report(`Sitemap: ${loc}\n` + body).sitemap).toBe(loc);
    expect(parseRobotsTxt(`Sitemap: ${loc}\n` + body, "http://foo.bar", "foo").sitemaps).toEqual([loc]);
  });

  it("TestGetPathParamsQuery: what a rule is matched against", () => {
    const disallowExactly = (path: string) => `user-agent: *\ndisallow: ${path}$\n`;
    const cases: [string, string][] = [
      ["http://www.example.com", "/"],
      ["http://www.example.com/", "/"],
      ["http://www.example.com/a", "/a"],
      ["http://www.example.com/a/", "/a/"],
      ["http://www.example.com/a/b?c=http://d.e/", "/a/b?c=http://d.e/"],
      ["http://www.example.com/a/b?c=d&e=f#fragment", "/a/b?c=d&e=f"],
      ["http://example.com/a;b#c", "/a;b"],
    ];
    for (const [url, path] of cases) expect(allowed(disallowExactly(path), "x", url), url).toBe(false);
  });

  it("TestMaybeEscapePattern: patterns compare percent-encoded, hex upper-cased", () => {
    expect(allowed("user-agent: *\ndisallow: /á\n", "x", "http://foo.bar/%C3%A1")).toBe(false);
    expect(allowed("user-agent: *\ndisallow: /%aa\n", "x", "http://foo.bar/%AA")).toBe(false);
  });
});
