import type { Metadata } from "next";
import { NotFoundState } from "@/components/not-found-state";

export const metadata: Metadata = { title: "Page not found" };

/** Unknown dashboard URLs (app/dashboard/[...missing]) and notFound() inside the dashboard, with the dashboard's navigation around it. */
export default function DashboardNotFound() {
  return (
    <NotFoundState
      testId="dashboard-not-found"
      title="This dashboard page does not exist"
      description="Check the address, or go back to your sitemaps."
      links={[
        { href: "/dashboard", label: "Back to sitemaps" },
        { href: "/dashboard/runs", label: "Runs" },
      ]}
    />
  );
}
