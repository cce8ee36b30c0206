"use client";
import Link from "next/link";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { AuthCard } from "@/components/auth-card";
import { useHydrated } from "@/components/use-hydrated";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { ApiError, apiFetch, errorMessage } from "@/lib/client/api";

type Field = "name" | "email" | "password";
const MIN_PASSWORD = 8;

export default function SignupPage() {
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    setFieldErrors({});
    const fd = new FormData(e.currentTarget);
    const name = String(fd.get("name") ?? "").trim();
    const email = String(fd.get("email") ?? "").trim();
    const password = String(fd.get("password") ?? "");
    if (password.length < MIN_PASSWORD) {
      setFieldErrors({ password: `Use at least ${MIN_PASSWORD} characters.` });
      return;
    }

    setPending(true);
    try {
      await apiFetch("/api/v1/signup", { method: "POST", body: { email, password, ...(name ? { name } : {}) } });
    } catch (err) {
      const field = err instanceof ApiError ? err.field?.split(".").pop() : undefined;
      if (field === "email" || field === "password" || field === "name") setFieldErrors({ [field]: errorMessage(err) });
      else if (err instanceof ApiError && err.code === "duplicate_entry") setFieldErrors({ email: err.message });
      else setError(errorMessage(err));
      setPending(false);
      return;
    }

    // The account exists now; sign in with the same credentials so the user lands in the dashboard.
    const res = await signIn("credentials", { email, password, redirect: false }).catch(() => undefined);
    // Full page loads (not router.push) so no client state of an earlier session survives.
    window.location.assign(res?.ok && !res.error ? "/dashboard" : "/login");
  }

  return (
    <AuthCard
      title="Create your account"
      subtitle="Crawl a site and publish its sitemap in minutes."
      footer={
        <>
          Already have an account?{" "}
          <Link href="/login" className="font-medium text-indigo-600 hover:text-indigo-500">
            Sign in
          </Link>
        </>
      }
    >
      <form method="post" onSubmit={onSubmit} className="space-y-4" data-testid="signup-form">
        {error && <Alert testId="signup-error">{error}</Alert>}
        <TextField label="Name" name="name" autoComplete="name" placeholder="Optional" error={fieldErrors.name} />
        <TextField label="Email" name="email" type="email" autoComplete="email" required error={fieldErrors.email} />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD}
          hint={`At least ${MIN_PASSWORD} characters.`}
          error={fieldErrors.password}
        />
        <Button type="submit" className="w-full" loading={pending} disabled={!hydrated}>
          Create account
        </Button>
      </form>
    </AuthCard>
  );
}
