/**
 * app/dashboard/account/page.tsx rendered on the server (react-dom/server) with a pre-filled query cache: one row per
 * saved shop subshop (id, base URL, its public files folder), and the empty state.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import AccountPage from "@/app/dashboard/account/page";
import { shopSubshopKeys, type ShopSubshopDto } from "@/lib/client/shop-subshops";

const render = (data: ShopSubshopDto[]) => {
  const client = new QueryClient();
  client.setQueryData(shopSubshopKeys.all, data);
  return renderToStaticMarkup(createElement(QueryClientProvider, { client }, createElement(AccountPage)));
};

describe("Account page: shop subshops", () => {
  it("shows each saved subshop with its base URL and files folder", () => {
    const at = "2026-12-07T12:00:00.000Z";
    const html = render([
      { subshopId: "1", baseUrl: "https://shop.example/", filesUrl: "http://forge.test/shop/u1/sitemaps/1/", createdAt: at, updatedAt: at },
      { subshopId: "de", baseUrl: "https://shop.example/de/", filesUrl: "http://forge.test/shop/u1/sitemaps/de/", createdAt: at, updatedAt: at },
    ]);
    expect(html.match(/data-testid="shop-subshop-row"/g)).toHaveLength(2);
    expect(html).toContain('value="https://shop.example/de/"');
    expect(html).toContain('value="de"');
    expect([...html.matchAll(/data-testid="subshop-files-url">([^<]+)</g)].map((m) => m[1])).toEqual([
      "http://forge.test/shop/u1/sitemaps/1/",
      "http://forge.test/shop/u1/sitemaps/de/",
    ]);
    expect(html).not.toContain("shop-subshops-empty");
  });

  it("an account without subshops sees the empty state and the add button", () => {
    const html = render([]);
    expect(html).toContain("No subshops yet");
    expect(html).toContain('data-testid="add-subshop"');
    expect(html).not.toContain("shop-subshop-row");
  });
});
