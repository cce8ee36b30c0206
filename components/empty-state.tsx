import type { ReactNode } from "react";

export function EmptyState({ icon, title, description, action, testId }: { icon?: ReactNode; title: ReactNode; description?: ReactNode; action?: ReactNode; testId?: string }) {
  return (
    <div className="flex flex-col items-center px-6 py-14 text-center" data-testid={testId}>
      {icon && <div className="mb-4 flex size-12 items-center justify-center rounded-full bg-indigo-50 text-indigo-600">{icon}</div>}
      <h3 className="text-base font-semibold text-slate-900">{title}</h3>
      {description && <p className="mt-1 max-w-sm text-sm text-slate-500">{description}</p>}
      {action && <div className="mt-5">{action}</div>}
    </div>
  );
}
