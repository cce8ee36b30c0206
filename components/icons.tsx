/** Small inline icons (stroke, currentColor), sized by the caller. */
type P = { className?: string };

export const PlusIcon = ({ className = "size-4" }: P) => (
  <svg viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" className={className} aria-hidden="true">
    <path d="M10 4v12M4 10h12" />
  </svg>
);

export const PlayIcon = ({ className = "size-4" }: P) => (
  <svg viewBox="0 0 20 20" fill="currentColor" className={className} aria-hidden="true">
    <path d="M6.3 4.2A1 1 0 0 0 4.8 5v10a1 1 0 0 0 1.5.86l8.3-5a1 1 0 0 0 0-1.72l-8.3-5Z" />
  </svg>
);

export const SitemapIcon = ({ className = "size-6" }: P) => (
  <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" className={className} aria-hidden="true">
    <rect x="9" y="3" width="6" height="4.5" rx="1" />
    <rect x="3" y="16.5" width="6" height="4.5" rx="1" />
    <rect x="15" y="16.5" width="6" height="4.5" rx="1" />
    <path d="M12 7.5V12M6 16.5V12h12v4.5" />
  </svg>
);

export const KeyIcon = ({ className = "size-6" }: P) => (
  <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" className={className} aria-hidden="true">
    <circle cx="8" cy="15" r="4" />
    <path d="m10.8 12.2 8.7-8.7M17 6l2.5 2.5M14.5 8.5 16.5 10.5" />
  </svg>
);

export const ExternalIcon = ({ className = "size-3.5" }: P) => (
  <svg viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" className={className} aria-hidden="true">
    <path d="M11 4h5v5M16 4l-7 7M8 5H5a1 1 0 0 0-1 1v9a1 1 0 0 0 1 1h9a1 1 0 0 0 1-1v-3" />
  </svg>
);

export const CompassIcon = ({ className = "size-6" }: P) => (
  <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" className={className} aria-hidden="true">
    <circle cx="12" cy="12" r="9" />
    <path d="m15.5 8.5-2 5-5 2 2-5 5-2Z" />
  </svg>
);
