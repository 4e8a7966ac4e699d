import { Head, useForm } from "@inertiajs/react";
import { TriangleAlert } from "lucide-react";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { FieldError, Input, Label } from "@/components/ui/input";
import { useShared } from "@/hooks/use-shared";
import { AppLayout } from "@/layouts/app-layout";
import { formatDateTime } from "@/lib/utils";
import type { Incident } from "@/types";

function ResolveForm({ incident }: { incident: Incident }) {
  const actions = incident.actions;
  const { errors } = useShared();
  const form = useForm({ resolution: "", reason: "" });
  const errorKey = `incident_${incident.id}`;
  return (
    <div className="mt-3 border-t border-border pt-3">
      <Label htmlFor={`reason-${incident.id}`}>Reason (required)</Label>
      <Input
        id={`reason-${incident.id}`}
        value={form.data.reason}
        placeholder="What you checked at the venue"
        onChange={(e) => form.setData("reason", e.target.value)}
      />
      <FieldError message={errors[errorKey]} />
      <div className="mt-2 flex flex-wrap gap-2">
        {actions.map((action) => (
          <ConfirmDialog
            key={action.value}
            title={`${action.label} incident #${incident.id}?`}
            description={action.description}
            confirmLabel={action.label}
            pending={form.processing}
            onConfirm={(done) => {
              form.transform((data) => ({ ...data, resolution: action.value }));
              form.post(`/incidents/${incident.id}/resolve`, { preserveScroll: true, onFinish: done });
            }}
            trigger={
              <Button variant="secondary" size="sm" disabled={!form.data.reason.trim()}>
                {action.label}
              </Button>
            }
          />
        ))}
      </div>
    </div>
  );
}

export default function Incidents({ incidents }: { incidents: Incident[] }) {
  return (
    <AppLayout title="Incidents" section="incidents">
      <Head title="Incidents · Egis" />
      {incidents.length === 0 ? (
        <div className="rounded-xl border border-dashed border-border p-8 text-center">
          <p className="text-base font-semibold">No open incidents</p>
          <p className="mt-1 text-sm text-muted">Every order is booked and every mirror matches the ledger.</p>
        </div>
      ) : (
        <ul className="space-y-3">
          {incidents.map((incident) => (
            <li key={incident.id}>
              <Card data-testid={`incident-${incident.id}`}>
                <div className="flex items-start justify-between gap-3">
                  <div className="flex min-w-0 items-start gap-2">
                    <TriangleAlert className="mt-0.5 size-4 shrink-0 text-warn" aria-hidden />
                    <div className="min-w-0">
                      <div className="font-semibold">{incident.kind_label}</div>
                      <div className="text-sm break-words text-muted">
                        #{incident.id} · {incident.bot ? incident.bot.name : "no bot"} · {formatDateTime(incident.created_at)}
                      </div>
                    </div>
                  </div>
                  <Badge tone="warn" className="capitalize">{incident.status}</Badge>
                </div>
                <dl className="mt-3 grid gap-2 text-sm sm:grid-cols-2">
                  <div>
                    <dt className="text-xs text-muted">Client order id</dt>
                    <dd className="font-mono text-xs break-all">{incident.client_order_id || "—"}</dd>
                  </div>
                  <div>
                    <dt className="text-xs text-muted">Venue order id · intent</dt>
                    <dd className="font-mono text-xs break-all">
                      {incident.venue_order_id || "—"} · {incident.intent || "—"}
                    </dd>
                  </div>
                  {incident.error && (
                    <div className="sm:col-span-2">
                      <dt className="text-xs text-muted">What is known</dt>
                      <dd className="break-words">{incident.error}</dd>
                    </div>
                  )}
                </dl>
                {incident.payload && (
                  <details className="mt-2 text-sm">
                    <summary className="inline-flex min-h-11 cursor-pointer items-center text-muted">Details</summary>
                    <pre className="overflow-x-auto rounded-lg bg-bg p-3 text-xs text-muted">{incident.payload}</pre>
                  </details>
                )}
                <ResolveForm incident={incident} />
              </Card>
            </li>
          ))}
        </ul>
      )}
    </AppLayout>
  );
}
