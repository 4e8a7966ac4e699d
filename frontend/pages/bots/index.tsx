import { Head, Link } from "@inertiajs/react";
import { Plus } from "lucide-react";

import { BotCard } from "@/components/bot-card";
import { CardFooter, OpenLines, PausedNote } from "@/components/cockpit-card";
import { PortfolioHeader } from "@/components/portfolio-header";
import { Button } from "@/components/ui/button";
import { RENDER_ONCE_PROPS, useLiveReload } from "@/hooks/use-live-reload";
import { AppLayout } from "@/layouts/app-layout";
import type { CockpitBot, OwnerOption, PortfolioProps } from "@/types";
import type { LiveSettings, PriceFeed } from "@/types/live";

export default function BotsIndex({
  bots,
  prices,
  price_ticks,
  live,
  portfolio,
  owners,
  owner_filter,
}: {
  bots: CockpitBot[];
  prices: Record<string, PriceFeed>;
  price_ticks?: Record<string, string | null>;
  live: LiveSettings;
  portfolio: PortfolioProps;
  owners: OwnerOption[] | null;
  owner_filter: number | null;
}) {
  useLiveReload(live.refresh_s, [...RENDER_ONCE_PROPS, "price_ticks"]);
  return (
    <AppLayout
      wide
      title="Bots"
      section="bots"
      action={
        bots.length > 0 ? (
          <Button asChild size="sm" variant="secondary">
            <Link href="/bots/new">
              <Plus className="size-4" aria-hidden /> New bot
            </Link>
          </Button>
        ) : undefined
      }
    >
      <Head title="Bots · Egis" />
      {(bots.length > 0 || owner_filter !== null) && (
        <PortfolioHeader portfolio={portfolio} owners={owners} ownerFilter={owner_filter} />
      )}
      {bots.length === 0 ? (
        <div className="rounded-xl border border-dashed border-border p-8 text-center">
          <p className="text-base font-semibold">No bots yet</p>
          <p className="mt-1 text-sm text-muted">
            A bot trades one symbol with its own USD budget.
          </p>
          <Button asChild className="mt-4">
            <Link href="/bots/new">
              <Plus className="size-4" aria-hidden /> Create bot
            </Link>
          </Button>
        </div>
      ) : (
        <div className="grid gap-4 lg:grid-cols-2 2xl:grid-cols-3">
          {bots.map((bot) => (
            <BotCard
              key={bot.id}
              bot={bot}
              feed={prices[bot.symbol]}
              tick={price_ticks?.[bot.symbol] ?? null}
              footer={<CardFooter botId={bot.id} paused={bot.paused} />}
            >
              {bot.paused && (
                <div className="mt-2">
                  <PausedNote pause={bot} />
                </div>
              )}
              <OpenLines lines={bot.open_lines} />
            </BotCard>
          ))}
        </div>
      )}
    </AppLayout>
  );
}
