import { Head, router, useForm } from "@inertiajs/react";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { SecretDialog } from "@/components/secret-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { FieldError, Input, Label, Select } from "@/components/ui/input";
import { useShared } from "@/hooks/use-shared";
import { AppLayout } from "@/layouts/app-layout";
import type { SecretProp, UserRow } from "@/types";

function UserItem({ user }: { user: UserRow }) {
  const other = user.role === "admin" ? "user" : "admin";
  return (
    <li
      className="flex flex-wrap items-center justify-between gap-2 py-3"
      data-testid={`user-${user.username}`}
    >
      <div className="min-w-0">
        <div className="flex items-center gap-2">
          <span className="font-medium">{user.username}</span>
          <Badge tone={user.role === "admin" ? "accent" : "neutral"}>
            {user.role === "admin" ? "Admin" : "User"}
          </Badge>
          {!user.is_active && <Badge tone="danger">Deactivated</Badge>}
        </div>
        <div className="num text-xs text-muted">
          {user.bots} bot{user.bots === 1 ? "" : "s"}
          {user.failed_logins > 0 && (
            <span className="text-warn">
              {" "}
              · {user.failed_logins} failed login{user.failed_logins === 1 ? "" : "s"} lately
            </span>
          )}
        </div>
      </div>
      {!user.is_self && (
        <div className="flex flex-wrap gap-2">
          <ConfirmDialog
            title={`Make ${user.username} ${other === "admin" ? "an admin" : "a user"}?`}
            description={
              other === "admin"
                ? "Admins see every bot and the incidents, and manage users."
                : "They will only see their own bots."
            }
            confirmLabel={`Make ${other}`}
            onConfirm={(done) =>
              router.post(
                `/users/${user.id}/role`,
                { role: other },
                { preserveScroll: true, onFinish: done },
              )
            }
            trigger={
              <Button variant="secondary" size="sm">
                Make {other}
              </Button>
            }
          />
          {user.is_active && (
            <ConfirmDialog
              title={`Reset ${user.username}'s password?`}
              description="Egis generates a new password and a new API token and shows them to you once. Their browser sessions end; their other API tokens keep working."
              confirmLabel="Reset password"
              onConfirm={(done) =>
                router.post(
                  `/users/${user.id}/password-reset`,
                  {},
                  { preserveScroll: true, onFinish: done },
                )
              }
              trigger={
                <Button variant="secondary" size="sm">
                  Reset password
                </Button>
              }
            />
          )}
          {user.locked && (
            <ConfirmDialog
              title={`Unlock ${user.username}?`}
              description="Clears their failed logins from every address, so they can log in again at once."
              confirmLabel="Unlock"
              onConfirm={(done) =>
                router.post(
                  `/users/${user.id}/unlock`,
                  {},
                  { preserveScroll: true, onFinish: done },
                )
              }
              trigger={
                <Button variant="secondary" size="sm">
                  Unlock
                </Button>
              }
            />
          )}
          {user.is_active && (
            <ConfirmDialog
              title={`Deactivate ${user.username}?`}
              description="They can no longer log in and their API tokens stop working. Their bots and history stay."
              confirmLabel="Deactivate"
              destructive
              onConfirm={(done) =>
                router.post(
                  `/users/${user.id}/deactivate`,
                  {},
                  { preserveScroll: true, onFinish: done },
                )
              }
              trigger={
                <Button variant="danger-outline" size="sm">
                  Deactivate
                </Button>
              }
            />
          )}
          {!user.is_active && (
            <ConfirmDialog
              title={`Reactivate ${user.username}?`}
              description="They can log in again, and their API tokens and webhooks work again."
              confirmLabel="Reactivate"
              onConfirm={(done) =>
                router.post(
                  `/users/${user.id}/activate`,
                  {},
                  { preserveScroll: true, onFinish: done },
                )
              }
              trigger={
                <Button variant="secondary" size="sm">
                  Reactivate
                </Button>
              }
            />
          )}
        </div>
      )}
    </li>
  );
}

export default function UsersPage({
  users,
  secret,
}: {
  users: UserRow[];
  secret: SecretProp | null;
}) {
  const { errors } = useShared();
  const form = useForm({ username: "", role: "user", password: "" });
  return (
    <AppLayout title="Users" section="users" back={{ href: "/settings", label: "Settings" }}>
      <Head title="Users · Egis" />
      <Card>
        <ul className="divide-y divide-border">
          {users.map((u) => (
            <UserItem key={u.id} user={u} />
          ))}
        </ul>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Create a user</CardTitle>
        </CardHeader>
        <form
          className="space-y-3"
          autoComplete="off"
          onSubmit={(e) => {
            e.preventDefault();
            form.post("/users/new", { preserveScroll: true, onSuccess: () => form.reset() });
          }}
        >
          <div className="grid gap-3 sm:grid-cols-2">
            <div>
              <Label htmlFor="new-username">User name</Label>
              <Input
                id="new-username"
                value={form.data.username}
                onChange={(e) => form.setData("username", e.target.value)}
              />
            </div>
            <div>
              <Label htmlFor="new-role">Role</Label>
              <Select
                id="new-role"
                value={form.data.role}
                onChange={(e) => form.setData("role", e.target.value)}
              >
                <option value="user">User</option>
                <option value="admin">Admin</option>
              </Select>
            </div>
          </div>
          <div>
            <Label htmlFor="new-password">Password (leave empty to generate one)</Label>
            <Input
              id="new-password"
              type="password"
              autoComplete="new-password"
              value={form.data.password}
              onChange={(e) => form.setData("password", e.target.value)}
            />
          </div>
          <FieldError message={errors.user} />
          <Button type="submit" pending={form.processing}>
            Create user
          </Button>
        </form>
      </Card>
      {/* Dismissing replaces the history entry that holds the secret (Inertia keeps page
          props in history state), so Back cannot bring it back either. */}
      <SecretDialog
        secret={secret}
        onDismiss={() => router.visit("/users", { replace: true, preserveScroll: true })}
      />
    </AppLayout>
  );
}
