import { notFound } from "next/navigation";

/**
 * Any /dashboard/… path no other dashboard route matches: renders app/dashboard/not-found.tsx inside the dashboard
 * layout (navigation stays), with status 404. More specific routes always win over this catch-all.
 */
export default function MissingDashboardPage(): never {
  notFound();
}
