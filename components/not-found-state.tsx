/**
 * Not-found states in the house style: a page that does not exist (the app's and the dashboard's not-found pages) and
 * an object that does not exist any more (a deleted sitemap, feed or template), each with a way back instead of the
 * framework's bare 404 or a "Try again" that can never succeed.
 */
import type { ReactNode } from "react";
import { CompassIcon } from "./icons";
import { EmptyState } from "./empty-state";
import { ButtonLink } from "./ui/button";
import { Card } from "./ui/card";

/** The not-found card: title, explanation and links back (the first one is the main action); `bare` leaves out the card (inside one already). */
export function NotFoundState({ title, description, links, testId, bare }: { title: ReactNode; description: ReactNode; links: { href: string; label: string }[]; testId?: string; bare?: boolean }) {
  const body = (
    <EmptyState
      testId={testId}
      icon={<CompassIcon />}
      title={title}
      description={description}
      action={
        <div className="flex flex-wrap justify-center gap-3">
          {links.map((l, i) => (
            <ButtonLink key={l.href} href={l.href} variant={i === 0 ? "primary" : "secondary"} data-testid={i === 0 ? "not-found-back" : undefined}>
              {l.label}
            </ButtonLink>
          ))}
        </div>
      }
    />
  );
  return bare ? body : <Card>{body}</Card>;
}

/** A dashboard object the API answered 404 for: it was deleted, or the link is wrong, or it belongs to someone else. */
export function ResourceNotFound({ what, backHref, backLabel, testId, bare }: { what: string; backHref: string; backLabel: string; testId?: string; bare?: boolean }) {
  return (
    <NotFoundState
      bare={bare}
      testId={testId}
      title={`This ${what} does not exist`}
      description="It may have been deleted, or the link is wrong."
      links={[{ href: backHref, label: backLabel }]}
    />
  );
}
