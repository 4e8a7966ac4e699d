import { Head, Link, useForm } from "@inertiajs/react";
import { CheckCircle2, TriangleAlert } from "lucide-react";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { IdText } from "@/components/id-text";
import { PaperSyncSheet } from "@/components/paper-sync-sheet";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { FieldError, Input, Label } from "@/components/ui/input";
import { useShared } from "@/hooks/use-shared";
import { AppLayout } from "@/layouts/app-layout";
import { cn, formatDateTime } from "@/lib/utils";
import type { Incident, Paginated } from "@/types";

type Status = "open" | "resolved";

interface Props {
  status: Status;
  counts: Record<Status, number>;
  incidents: Paginated<Incident>;
}

const CLOSE_POSITION = "close-position";

function ResolveForm({ incident }: { incident: Incident }) {
  const actions = incident.actions;
  const { errors } = useShared();
  const form = useForm({ resolution: "", reason: "", price: "" });
  const errorKey = `incident_${incident.id}`;
  return (
    <div className="mt-3 border-t border-border pt-3">
      <Label htmlFor={`reason-${incident.id}`}>Reason (required)</Label>
      {/* The hint above the field, not as its placeholder: a placeholder this long was cut off
          at 390 px, and it is gone once typing starts. */}
      <p id={`reason-hint-${incident.id}`} className="mb-1 text-sm text-muted">
        {incident.kind === "signal_drift"
          ? "What you checked: the sender's alerts, the bot's positions."
          : "What you checked at the venue."}
      </p>
      <Input
        id={`reason-${incident.id}`}
        value={form.data.reason}
        placeholder="What you checked"
        aria-describedby={`reason-hint-${incident.id}`}
        onChange={(e) => form.setData("reason", e.target.value)}
      />
      <FieldError message={errors[errorKey]} />
      <div className="mt-2 flex flex-wrap gap-2">
        {actions.map((action) => {
          const needsPrice = action.value === CLOSE_POSITION;
          return (
            <ConfirmDialog
              key={action.value}
              title={`${action.label} incident #${incident.id}?`}
              description={action.description}
              confirmLabel={action.label}
              pending={form.processing}
              onConfirm={(done) => {
                form.transform((data) => ({
                  ...data,
                  resolution: action.value,
                  price: needsPrice ? data.price : "",
                }));
                form.post(`/incidents/${incident.id}/resolve`, {
                  preserveScroll: true,
                  onFinish: done,
                });
              }}
              trigger={
                <Button variant="secondary" size="sm" disabled={!form.data.reason.trim()}>
                  {action.label}
                </Button>
              }
            >
              {needsPrice && (
                <div>
                  <Label htmlFor={`price-${incident.id}`}>Close price</Label>
                  <Input
                    id={`price-${incident.id}`}
                    inputMode="decimal"
                    autoComplete="off"
                    placeholder="e.g. 593.10"
                    value={form.data.price}
                    onChange={(e) => form.setData("price", e.target.value)}
                  />
                  <p className="mt-1.5 text-xs text-muted">
                    The exit price the ledger books; nothing is sent to the venue.
                  </p>
                </div>
              )}
            </ConfirmDialog>
          );
        })}
      </div>
    </div>
  );
}

function Offer({ incident }: { incident: Incident }) {
  if (incident.offer?.kind !== "paper_sync") return null;
  return (
    <div className="mt-3 flex flex-col items-start gap-2 rounded-lg border border-border bg-bg p-3 sm:flex-row sm:items-center sm:justify-between">
      <p className="text-sm">Repair the paper book first, then acknowledge below.</p>
      <PaperSyncSheet botId={incident.offer.bot_id} />
    </div>
  );
}

function IncidentCard({ incident }: { incident: Incident }) {
  const open = incident.status === "open";
  return (
    <Card data-testid={`incident-${incident.id}`}>
      <div className="flex items-start justify-between gap-3">
        <div className="flex min-w-0 items-start gap-2">
          {open ? (
            <TriangleAlert className="mt-0.5 size-4 shrink-0 text-warn" aria-hidden />
          ) : (
            <CheckCircle2 className="mt-0.5 size-4 shrink-0 text-gain" aria-hidden />
          )}
          <div className="min-w-0">
            <div className="font-semibold">{incident.kind_label}</div>
            <div className="text-sm break-words text-muted">
              #{incident.id} · {incident.bot ? incident.bot.name : "no bot"} ·{" "}
              {formatDateTime(incident.created_at)}
            </div>
          </div>
        </div>
        <Badge tone={open ? "warn" : "gain"}>{open ? "Open" : "Resolved"}</Badge>
      </div>
      {incident.details.length > 0 && (
        <div className="mt-3 space-y-1.5 text-sm" data-testid="incident-details">
          {incident.details.map((sentence, i) => (
            <p key={i} className="break-words">
              {sentence}
            </p>
          ))}
        </div>
      )}
      {incident.facts.length > 0 && (
        <dl className="mt-3 grid gap-2 text-sm sm:grid-cols-2">
          {incident.facts.map((fact) => (
            <div key={fact.label}>
              <dt className="text-xs text-muted">{fact.label}</dt>
              <dd className="text-xs">
                <IdText id={fact.value} />
              </dd>
            </div>
          ))}
        </dl>
      )}
      {incident.resolution && (
        <div className="mt-3 border-t border-border pt-3 text-sm">
          <p>
            <strong>{incident.resolution.label}</strong>
            {incident.resolution.by ? ` by ${incident.resolution.by}` : ""}
            {incident.resolution.at ? ` · ${formatDateTime(incident.resolution.at)}` : ""}
          </p>
          {incident.resolution.reason && (
            <p className="mt-1 break-words text-muted">{incident.resolution.reason}</p>
          )}
        </div>
      )}
      <Offer incident={incident} />
      {open && incident.actions.length > 0 && <ResolveForm incident={incident} />}
    </Card>
  );
}

function Tabs({ status, counts }: { status: Status; counts: Props["counts"] }) {
  const tabs: { value: Status; label: string }[] = [
    { value: "open", label: "Open" },
    { value: "resolved", label: "Resolved" },
  ];
  return (
    <nav
      aria-label="Incident status"
      className="grid grid-cols-2 gap-1 rounded-lg border border-border bg-bg p-1"
    >
      {tabs.map((tab) => (
        <Link
          key={tab.value}
          href={`/incidents?status=${tab.value}`}
          preserveScroll
          aria-current={tab.value === status ? "page" : undefined}
          className={cn(
            "inline-flex min-h-11 items-center justify-center gap-1.5 rounded-md px-4 text-sm font-semibold transition-colors",
            tab.value === status ? "bg-surface-2 text-fg" : "text-muted hover:text-fg",
          )}
        >
          {tab.label}
          <span className="num text-xs font-normal text-muted">{counts[tab.value]}</span>
        </Link>
      ))}
    </nav>
  );
}

function Pager({ status, list }: { status: Status; list: Paginated<Incident> }) {
  if (list.pages <= 1) return null;
  const href = (page: number) => `/incidents?status=${status}&page=${page}`;
  const link = "inline-flex min-h-11 items-center rounded-lg px-3 text-fg hover:bg-surface-2";
  return (
    <nav aria-label="Incident pages" className="flex items-center justify-between text-sm">
      {list.page > 1 ? (
        <Link href={href(list.page - 1)} className={link}>
          Newer
        </Link>
      ) : (
        <span />
      )}
      <span className="num text-muted">
        Page {list.page} of {list.pages}
      </span>
      {list.page < list.pages ? (
        <Link href={href(list.page + 1)} className={link}>
          Older
        </Link>
      ) : (
        <span />
      )}
    </nav>
  );
}

export default function Incidents({ status, counts, incidents }: Props) {
  return (
    <AppLayout title="Incidents" section="incidents">
      <Head title="Incidents · Egis" />
      <Tabs status={status} counts={counts} />
      {incidents.items.length === 0 ? (
        <div className="rounded-xl border border-dashed border-border p-8 text-center">
          {status === "open" ? (
            <>
              <p className="text-base font-semibold">No open incidents</p>
              <p className="mt-1 text-sm text-muted">
                Every order is booked, and what each exchange reports matches Egis's positions.
              </p>
            </>
          ) : (
            <p className="text-base font-semibold">No resolved incidents yet</p>
          )}
        </div>
      ) : (
        <ul className="space-y-3">
          {incidents.items.map((incident) => (
            <li key={incident.id}>
              <IncidentCard incident={incident} />
            </li>
          ))}
        </ul>
      )}
      <Pager status={status} list={incidents} />
    </AppLayout>
  );
}
