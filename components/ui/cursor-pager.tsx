import { Button } from "./button";

/**
 * Previous / Next under a list paged by keyset cursors (the API's `next_cursor`; the caller keeps the stack of
 * cursors it came through). `page` is 1-based; Previous is off on the first page, Next when there is no next cursor.
 */
export function CursorPager({
  page,
  hasNext,
  onPrevious,
  onNext,
  label,
  testId,
}: {
  page: number;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  /** aria-label of the nav, e.g. "URL pages". */
  label: string;
  /** data-testid of the "Page N" text. */
  testId?: string;
}) {
  return (
    <nav className="flex items-center justify-between border-t border-slate-100 px-5 py-3 text-sm" aria-label={label}>
      <span className="text-slate-500" data-testid={testId}>
        Page {page}
      </span>
      <div className="flex gap-2">
        <Button size="sm" variant="secondary" disabled={page === 1} onClick={onPrevious}>
          Previous
        </Button>
        <Button size="sm" variant="secondary" disabled={!hasNext} onClick={onNext}>
          Next
        </Button>
      </div>
    </nav>
  );
}
