import { Head, router, useForm } from "@inertiajs/react";
import * as React from "react";

import { Button } from "@/components/ui/button";
import { FieldError, Input, Label } from "@/components/ui/input";
import { useShared } from "@/hooks/use-shared";

export default function Login({ next }: { next: string }) {
  const { errors } = useShared();
  const form = useForm({ username: "", password: "", next });
  // Signed-in pages are kept encrypted in the browser history; dropping the key here means Back
  // after logout or an expired session refetches (and lands here) instead of showing old data.
  React.useEffect(() => router.clearHistory(), []);
  return (
    <div className="flex min-h-dvh items-center justify-center px-4">
      <Head title="Log in · Egis" />
      <form
        className="w-full max-w-sm space-y-4 rounded-2xl border border-border bg-surface p-6"
        onSubmit={(event) => {
          event.preventDefault();
          form.post("/login", { onFinish: () => form.reset("password") });
        }}
      >
        <div className="mb-2 flex items-center gap-2 text-xl font-semibold">
          <span className="inline-block size-3 rounded-full bg-accent" aria-hidden />
          Egis
        </div>
        <p className="text-sm text-muted">Log in to see your bots.</p>
        {errors.form && (
          <div
            role="alert"
            className="rounded-lg border border-danger-border bg-danger-surface p-3 text-sm text-danger-fg"
          >
            {errors.form}
          </div>
        )}
        <div>
          <Label htmlFor="username">User name</Label>
          <Input
            id="username"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            required
            value={form.data.username}
            onChange={(e) => form.setData("username", e.target.value)}
          />
          <FieldError message={errors.username} />
        </div>
        <div>
          <Label htmlFor="password">Password</Label>
          <Input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={form.data.password}
            onChange={(e) => form.setData("password", e.target.value)}
          />
        </div>
        <Button type="submit" size="block" pending={form.processing}>
          Log in
        </Button>
      </form>
    </div>
  );
}
