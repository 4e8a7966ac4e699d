import { Head, Link } from "@inertiajs/react";
import { Download } from "lucide-react";

import { BotTabs } from "@/components/bot-stop";
import { IdText } from "@/components/id-text";
import { SignalItem } from "@/components/signal-item";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { AppLayout } from "@/layouts/app-layout";
import { cn, formatDateTime } from "@/lib/utils";
import type { ActivityEvent, ActivityOrder, Paginated, SignalRow } from "@/types";

type Tab = "orders" | "events" | "signals";

interface Props {
  bot: { id: number; name: string; symbol: string; venue: string };
  tab: Tab;
  tabs: Tab[];
  list: Paginated<ActivityOrder | ActivityEvent | SignalRow>;
}

const TAB_LABELS: Record<Tab, string> = {
  orders: "Orders",
  events: "Audit trail",
  signals: "Signals",
};

const COUNT_NOUNS: Record<Tab, string> = { orders: "order", events: "event", signals: "signal" };

function OrderItem({ o }: { o: ActivityOrder }) {
  const { shown } = o;
  return (
    <li className="space-y-1 py-3" data-testid="activity-order">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span className="flex items-center gap-2">
          <Badge tone={o.intent === "open" ? "accent" : "neutral"}>
            {o.intent === "open" ? "Open" : "Close"}
          </Badge>
          <span className="text-sm">{o.side === "buy" ? "Buy" : "Sell"}</span>
          <Badge
            tone={
              o.status === "filled"
                ? "gain"
                : o.status === "rejected" || o.status === "failed"
                  ? "danger"
                  : "neutral"
            }
          >
            {o.status.replace("_", " ")}
          </Badge>
        </span>
        <span className="text-xs text-muted">{formatDateTime(o.created_at)}</span>
      </div>
      <div className="num text-sm" data-testid="order-figures">
        <span className="font-semibold">{shown.executed}</span>
        {shown.price && <span className="text-muted"> at {shown.price}</span>}
        {shown.requested && (
          <span className="text-xs text-muted"> (requested {shown.requested})</span>
        )}
      </div>
      {shown.value && (
        <div className="num text-xs text-muted">
          Value {shown.value} · fee {shown.fee}
        </div>
      )}
      <div className="num text-xs break-words text-muted">
        <IdText id={o.client_order_id} />
        {o.venue_order_id && (
          <>
            {" "}
            · venue <IdText id={o.venue_order_id} />
          </>
        )}{" "}
        · position #{o.position_id}
      </div>
      {o.error && <p className="text-xs break-words text-warn">{o.error}</p>}
    </li>
  );
}

function EventItem({ e }: { e: ActivityEvent }) {
  return (
    <li className="space-y-1 py-3" data-testid="activity-event">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span className="text-sm font-medium">{e.words}</span>
        <span className="text-xs text-muted">{formatDateTime(e.created_at)}</span>
      </div>
      <p className="text-xs break-words text-muted">
        {e.position_id ? `Position #${e.position_id}` : "No position"} · {e.actor}
        {e.reason && ` · ${e.reason}`}
      </p>
    </li>
  );
}

function Pager({ botId, tab, list }: { botId: number; tab: Tab; list: Props["list"] }) {
  if (list.pages <= 1) return null;
  const link = (page: number, label: string) => (
    <Link
      preserveScroll
      href={`/bots/${botId}/activity?tab=${tab}&page=${page}`}
      className="inline-flex min-h-11 items-center rounded-lg px-3 text-fg hover:bg-surface-2"
    >
      {label}
    </Link>
  );
  return (
    <nav aria-label="Activity pages" className="mt-3 flex items-center justify-between text-sm">
      {list.page > 1 ? link(list.page - 1, "‹ Newer") : <span />}
      <span className="num text-muted">
        Page {list.page} of {list.pages}
      </span>
      {list.page < list.pages ? link(list.page + 1, "Older ›") : <span />}
    </nav>
  );
}

export default function BotActivity({ bot, tab, tabs, list }: Props) {
  return (
    <AppLayout title={bot.name} section="bots" back={{ href: "/", label: "Bots" }}>
      <Head title={`${bot.name} · Activity · Egis`} />
      <BotTabs botId={bot.id} current="activity" />
      <Card>
        <nav aria-label="Activity lists" className="mb-2 flex gap-1" data-testid="activity-tabs">
          {tabs.map((t) => (
            <Link
              key={t}
              href={`/bots/${bot.id}/activity?tab=${t}`}
              aria-current={t === tab ? "page" : undefined}
              className={cn(
                "inline-flex min-h-11 items-center rounded-lg px-3 text-sm",
                t === tab ? "bg-surface-2 font-medium text-fg" : "text-muted hover:text-fg",
              )}
            >
              {TAB_LABELS[t]}
            </Link>
          ))}
        </nav>
        <p className="text-xs text-muted">
          {list.total.toLocaleString("en-US")} {COUNT_NOUNS[tab]}
          {list.total === 1 ? "" : "s"}, newest first.
        </p>
        {list.items.length === 0 ? (
          <p className="py-6 text-center text-sm text-muted">Nothing yet.</p>
        ) : (
          <ul className="divide-y divide-border">
            {tab === "orders" &&
              (list.items as ActivityOrder[]).map((o) => <OrderItem key={o.id} o={o} />)}
            {tab === "events" &&
              (list.items as ActivityEvent[]).map((e) => <EventItem key={e.id} e={e} />)}
            {tab === "signals" &&
              (list.items as SignalRow[]).map((s) => (
                <SignalItem
                  key={s.id}
                  signal={s}
                  positionHref={(id) => `/bots/${bot.id}#position-${id}`}
                  className="py-3"
                  testId="activity-signal"
                />
              ))}
          </ul>
        )}
        <Pager botId={bot.id} tab={tab} list={list} />
      </Card>
      <Card className="flex flex-wrap gap-2">
        <p className="w-full text-sm text-muted">
          Export as CSV (money as exact decimal text; opens in any spreadsheet).
        </p>
        {/* A download, not an Inertia visit: a plain link. */}
        <Button asChild variant="secondary" size="sm">
          <a href={`/bots/${bot.id}/export.csv?what=positions`} download>
            <Download className="size-4" aria-hidden /> Closed positions
          </a>
        </Button>
        <Button asChild variant="secondary" size="sm">
          <a href={`/bots/${bot.id}/export.csv?what=orders`} download>
            <Download className="size-4" aria-hidden /> Orders
          </a>
        </Button>
      </Card>
    </AppLayout>
  );
}
