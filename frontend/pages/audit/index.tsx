import { Head } from "@inertiajs/react";

import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { AppLayout } from "@/layouts/app-layout";
import { formatUsd } from "@/lib/money";
import { formatDateTime } from "@/lib/utils";
import type { AuditEntry } from "@/types";

// The server sends each value as text (money as an exact decimal string) and each field's label
// in words (egis.audit.selectors.FIELD_LABELS); shown as sent. A limit that is not set is
// recorded as "off", and "off" is what is shown, also for a money field.
const OFF = "off";

function shown(field: string, value: string): string {
  if (!value) return "—";
  if (value === OFF) return OFF;
  return field.endsWith("_usd") ? formatUsd(value) : value;
}

function ObjectLink({ entry }: { entry: AuditEntry }) {
  const label =
    entry.object_type === "bot" ? "Bot" : entry.object_type === "user" ? "User" : entry.object_type;
  return (
    <span className="min-w-0 break-words">
      <Badge>{label}</Badge>{" "}
      <span className="font-medium [overflow-wrap:anywhere]">{entry.object_label}</span>{" "}
      <span className="num text-muted">#{entry.object_id}</span>
    </span>
  );
}

export default function AuditPage({ entries, limit }: { entries: AuditEntry[]; limit: number }) {
  return (
    <AppLayout title="Audit" section="audit" back={{ href: "/settings", label: "Settings" }}>
      <Head title="Audit · Egis" />
      <p className="text-sm text-muted">
        Every bot created or deleted, every change of a bot's settings, and of a user's role or
        activation: who, what, before and after. Newest first
        {entries.length >= limit ? `, the last ${limit}` : ""}.
      </p>
      <Card>
        {entries.length === 0 ? (
          <p className="text-sm text-muted">No changes recorded yet.</p>
        ) : (
          <ul className="divide-y divide-border" data-testid="audit-entries">
            {entries.map((e) => (
              <li key={e.id} className="space-y-1 py-3 text-sm">
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <ObjectLink entry={e} />
                  <span className="num text-xs text-muted">{formatDateTime(e.created_at)}</span>
                </div>
                {e.field === "created" ? (
                  // A creation has no "before": what the bot was created with.
                  <div>
                    <span className="text-muted">{e.field_label}: </span>
                    <span className="[overflow-wrap:anywhere]">{e.after}</span>
                  </div>
                ) : (
                  <div>
                    <span className="text-muted">{e.field_label}: </span>
                    <span className="num [overflow-wrap:anywhere]">{shown(e.field, e.before)}</span>
                    <span className="text-muted"> → </span>
                    <span className="num font-medium [overflow-wrap:anywhere]">
                      {shown(e.field, e.after)}
                    </span>
                  </div>
                )}
                <div className="text-xs text-muted">by {e.actor}</div>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </AppLayout>
  );
}
