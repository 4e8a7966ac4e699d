import { Link } from "@inertiajs/react";
import { History } from "lucide-react";
import * as React from "react";

import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { FieldError } from "@/components/ui/input";
import type { HistoryItem, HistoryPage } from "@/types/history";

/** The first page (from the page's props, refreshed with it) and the older pages fetched since,
 * as one list newest first: a change made while paging shifts the pages by one, so a row can
 * come twice and is kept once. */
export function mergeHistory(first: HistoryItem[], older: HistoryItem[]): HistoryItem[] {
  const byId = new Map<number, HistoryItem>();
  for (const item of [...first, ...older]) if (!byId.has(item.id)) byId.set(item.id, item);
  return [...byId.values()].sort((a, b) => b.id - a.id);
}

async function fetchPage(botId: number, page: number, size: number): Promise<HistoryPage> {
  const response = await fetch(`/api/v1/bots/${botId}/history?page=${page}&page_size=${size}`, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  if (!response.ok) throw new Error(`The server answered ${response.status}.`);
  return (await response.json()) as HistoryPage;
}

function HistoryRow({ item }: { item: HistoryItem }) {
  return (
    <li className="py-2.5 text-sm" data-testid="history-item">
      <p className="num [overflow-wrap:anywhere]">{item.words}</p>
      <p className="num mt-0.5 text-xs text-muted">
        <time dateTime={item.at}>{item.when}</time> · {item.who}
      </p>
    </li>
  );
}

/** "Who changed my budget, my risk limits, my webhook, and when?": the bot's settings history,
 * newest first, ten at a time. */
export function SettingsHistory({ botId, history }: { botId: number; history: HistoryPage }) {
  const [older, setOlder] = React.useState<HistoryItem[]>([]);
  const [loaded, setLoaded] = React.useState(1);
  const [count, setCount] = React.useState(history.count);
  const [pending, setPending] = React.useState(false);
  const [error, setError] = React.useState("");
  const items = mergeHistory(history.items, older);
  const total = Math.max(count, history.count);
  const more = items.length < total;

  const showOlder = async () => {
    setPending(true);
    setError("");
    try {
      const next = await fetchPage(botId, loaded + 1, history.page_size);
      setOlder((kept) => [...kept, ...next.items]);
      setLoaded(loaded + 1);
      setCount(next.count);
    } catch {
      setError("The older changes could not be loaded. Check the connection and try again.");
    } finally {
      setPending(false);
    }
  };

  return (
    <Card data-testid="settings-history">
      <CardHeader>
        <CardTitle>Settings history</CardTitle>
        {total > 0 && (
          <span className="num text-sm text-muted" data-testid="history-count">
            {items.length} of {total}
          </span>
        )}
      </CardHeader>
      {items.length === 0 ? (
        <p className="text-sm text-muted">No changes recorded yet.</p>
      ) : (
        <ul className="-my-2.5 divide-y divide-border" aria-label="Settings changes, newest first">
          {items.map((item) => (
            <HistoryRow key={item.id} item={item} />
          ))}
        </ul>
      )}
      <FieldError message={error} />
      <div className="mt-3 flex flex-col items-start gap-1 border-t border-border pt-3">
        {more && (
          <Button
            variant="secondary"
            size="sm"
            pending={pending}
            onClick={() => void showOlder()}
            data-testid="history-more"
          >
            <History className="size-4" aria-hidden /> Show older changes
          </Button>
        )}
        {/* Exits belong to a position: their changes are in that position's events. */}
        <Link
          href={`/bots/${botId}/activity?tab=events`}
          className="-mx-2 inline-flex min-h-11 items-center rounded-lg px-2 text-sm text-muted hover:bg-surface-2 hover:text-fg"
          data-testid="history-exits"
        >
          Exit changes (take-profit, stop-loss) are in Activity → Audit trail
        </Link>
      </div>
    </Card>
  );
}
