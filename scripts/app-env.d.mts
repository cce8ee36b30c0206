/** Types of scripts/app-env.mjs (see its docstring). */
export function applyPublicUrls(env: Record<string, string | undefined>): { appUrl: string; authUrl: string };
