import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MAX_BODY_BYTES, readJson, readQuery } from "./request";

const Z = z.strictObject({ a: z.number() });
const post = (body: BodyInit, type = "application/json", headers: Record<string, string> = {}) =>
  new Request("http://x/", { method: "POST", body, headers: { "content-type": type, ...headers }, duplex: "half" } as RequestInit);

const code = (p: Promise<unknown>) => p.then(() => "ok", (e) => e.code);

describe("readJson", () => {
  it("parses valid JSON, with charset or a +json type", async () => {
    expect(await readJson(post('{"a":1}'), Z)).toEqual({ a: 1 });
    expect(await readJson(post('{"a":2}', "application/json; charset=utf-8"), Z)).toEqual({ a: 2 });
    expect(await readJson(post('{"a":3}', "application/merge-patch+json"), Z)).toEqual({ a: 3 });
  });

  it("415 for other or missing types", async () => {
    expect(await code(readJson(post('{"a":1}', "text/plain"), Z))).toBe("unsupported_media_type");
    expect(await code(readJson(new Request("http://x/", { method: "POST", body: '{"a":1}', headers: { "content-type": "" } }), Z))).toBe("unsupported_media_type");
    expect(await code(readJson(post('{"a":1}', "application/jsonp"), Z))).toBe("unsupported_media_type");
  });

  it("400 syntax_error for empty, truncated or non-UTF-8 bodies", async () => {
    expect(await code(readJson(post(""), Z))).toBe("syntax_error");
    expect(await code(readJson(post('{"a":'), Z))).toBe("syntax_error");
    expect(await code(readJson(post(new Uint8Array([0x7b, 0xff, 0x7d])), Z))).toBe("syntax_error");
  });

  it("413 by Content-Length before reading, and while streaming a body without one", async () => {
    expect(await code(readJson(post("{}", "application/json", { "content-length": String(MAX_BODY_BYTES + 1) }), Z))).toBe("payload_too_large");
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(64 * 1024).fill(0x20));
      },
    });
    expect(await code(readJson(post(endless), Z))).toBe("payload_too_large");
    expect(pulled).toBeLessThan(40); // stopped soon after 1 MiB, not read to the end
    expect(await readJson(post(`{"a":1}${" ".repeat(MAX_BODY_BYTES - 7)}`), Z)).toEqual({ a: 1 });
  });

  it("422 from the schema", async () => {
    expect(await code(readJson(post('{"a":"1"}'), Z))).toBe("invalid_value");
    expect(await code(readJson(post('{"a":1,"b":2}'), Z))).toBe("unknown_field");
  });
});

describe("readQuery", () => {
  it("takes the first value of each parameter and ignores unknown ones", () => {
    const Q = z.object({ limit: z.coerce.number() });
    expect(readQuery(new Request("http://x/?limit=5&limit=9&__proto__=1&x=2"), Q)).toEqual({ limit: 5 });
  });
});
