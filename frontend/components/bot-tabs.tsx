import { Link } from "@inertiajs/react";

import { cn } from "@/lib/utils";

/** The bot page's tabs: its overview and its Activity (orders, audit trail, signals). */
export function BotTabs({ botId, current }: { botId: number; current: "overview" | "activity" }) {
  const tab = (key: "overview" | "activity", href: string, label: string) => (
    <Link
      href={href}
      aria-current={current === key ? "page" : undefined}
      className={cn(
        "inline-flex min-h-11 flex-1 items-center justify-center rounded-md px-3 text-sm font-medium",
        current === key ? "bg-surface-2 text-fg" : "text-muted hover:text-fg",
      )}
    >
      {label}
    </Link>
  );
  return (
    <nav
      aria-label="Bot sections"
      className="flex gap-1 rounded-lg border border-border bg-surface p-1"
      data-testid="bot-tabs"
    >
      {tab("overview", `/bots/${botId}`, "Overview")}
      {tab("activity", `/bots/${botId}/activity`, "Activity")}
    </nav>
  );
}
