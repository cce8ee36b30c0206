"use client";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { signIn } from "next-auth/react";
import { Suspense, useState } from "react";
import { AuthCard } from "@/components/auth-card";
import { useHydrated } from "@/components/use-hydrated";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { safeCallbackUrl } from "@/lib/client/safe-callback";

function LoginForm() {
  const params = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    setPending(true);
    const fd = new FormData(e.currentTarget);
    try {
      const res = await signIn("credentials", {
        email: String(fd.get("email") ?? "").trim(),
        password: String(fd.get("password") ?? ""),
        redirect: false,
      });
      if (res?.ok && !res.error) {
        // A full page load, not router.push: it drops any cached data of a previous user along with the client state.
        window.location.assign(safeCallbackUrl(params.get("callbackUrl"), window.location.origin));
        return;
      }
      setError(res?.error && res.error !== "CredentialsSignin" ? "Sign-in failed. Please try again." : "Invalid email or password.");
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
    }
    setPending(false);
  }

  return (
    <form method="post" onSubmit={onSubmit} className="space-y-4" data-testid="login-form">
      {error && <Alert testId="login-error">{error}</Alert>}
      <TextField label="Email" name="email" type="email" autoComplete="email" required autoFocus />
      <TextField label="Password" name="password" type="password" autoComplete="current-password" required />
      <Button type="submit" className="w-full" loading={pending} disabled={!hydrated}>
        Sign in
      </Button>
    </form>
  );
}

export default function LoginPage() {
  return (
    <AuthCard
      title="Sign in"
      subtitle="Welcome back to Sitemap Forge."
      footer={
        <>
          No account yet?{" "}
          <Link href="/signup" className="font-medium text-indigo-600 hover:text-indigo-500">
            Create one
          </Link>
        </>
      }
    >
      {/* useSearchParams needs a Suspense boundary so the page can still be prerendered. */}
      <Suspense fallback={<div className="h-48" />}>
        <LoginForm />
      </Suspense>
    </AuthCard>
  );
}
