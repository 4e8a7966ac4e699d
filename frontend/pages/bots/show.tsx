import { Head, router } from "@inertiajs/react";

import { BotAlerts, VenueBadge } from "@/components/bot-card";
import { BotSettings } from "@/components/bot-settings";
import { BudgetCard } from "@/components/budget-card";
import { BotTabs, CloseAllSheet, PauseToggle } from "@/components/bot-stop";
import { InfoHint } from "@/components/info-hint";
import { Money } from "@/components/money";
import { OpenPositionForm } from "@/components/open-position-form";
import { PaperSyncSheet } from "@/components/paper-sync-sheet";
import { PnlChart } from "@/components/pnl-chart";
import { PriceChart } from "@/components/price-chart";
import {
  FeedProvider,
  LiveFigure,
  PriceLine,
  StaleFeedBanner,
  useFeedState,
} from "@/components/price-feed";
import { SecretDialog } from "@/components/secret-dialog";
import { SettingsHistory } from "@/components/settings-history";
import { SignalsCard } from "@/components/signals-card";
import { ClosedPositions, OpenPositionRow, positionErrorKey } from "@/components/positions";
import { RiskLimitsLine } from "@/components/risk-limits";
import { Badge } from "@/components/ui/badge";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { FieldError } from "@/components/ui/input";
import { RENDER_ONCE_PROPS, useLiveReload, useReloadOnChange } from "@/hooks/use-live-reload";
import { useShared } from "@/hooks/use-shared";
import { AppLayout } from "@/layouts/app-layout";
import type {
  BotSummary,
  PauseProps,
  PlannedClose,
  BudgetFigures,
  Paginated,
  PnlPoint,
  PositionRow,
  SecretProp,
  SignalsCardProps,
  SymbolSteps,
} from "@/types";
import type { HistoryPage } from "@/types/history";
import type { LiveSettings, PriceChartData, PriceFeed } from "@/types/live";

interface Props {
  bot: BotSummary &
    SymbolSteps &
    PauseProps & { leverage: number; status_label: string; open_disabled_reason: string };
  budget: BudgetFigures;
  budget_trace: string[] | null;
  open_positions: PositionRow[];
  closed: Paginated<PositionRow>;
  archivable: PositionRow[];
  pnl_series: PnlPoint[];
  can_archive: boolean;
  paper_sync: boolean;
  open_form_key: string;
  signals: SignalsCardProps;
  secret: SecretProp | null;
  history: HistoryPage; // the settings history's first page
  close_all_plan: PlannedClose[] | null; // admins only
  close_all_text: string; // what Close all does, in words
  // Live screens: the price with its age, the chart, and how often the page refreshes.
  price: PriceFeed;
  chart: PriceChartData;
  live: LiveSettings;
}

// Two columns from 1024 px (chart and positions left; budget, open form, signals right). On a
// phone the columns dissolve (`contents`) and `order` keeps the phone's own sequence.
const COLUMNS =
  "flex flex-col gap-4 lg:grid lg:grid-cols-[minmax(0,1fr)_23rem] lg:items-start xl:grid-cols-[minmax(0,1fr)_24rem]";
const COLUMN = "contents lg:flex lg:min-w-0 lg:flex-col lg:gap-4";

// The PnL curve (up to 500 points) and the archive list change only with the closes: the timed
// refresh leaves them out and they follow when the closed count or realized PnL moves.
const REFRESH_EXCEPT = [...RENDER_ONCE_PROPS, "pnl_series", "archivable"];

// Position answers whose row is not on this page (e.g. on another page of closed positions).
function OffPagePositionErrors({ shown }: { shown: number[] }) {
  const { errors } = useShared();
  const onPage = new Set(shown.map(positionErrorKey));
  const rest = Object.entries(errors).filter(
    ([key]) => key.startsWith("position_") && !onPage.has(key),
  );
  return (
    <>
      {rest.map(([key, message]) => (
        <FieldError key={key} message={message} />
      ))}
    </>
  );
}

export default function BotShow(props: Props) {
  const { bot } = props;
  useLiveReload(props.live.refresh_s, REFRESH_EXCEPT);
  useReloadOnChange(`${props.closed.total}:${bot.realized_pnl_usd}`, ["pnl_series", "archivable"]);
  const feed = useFeedState(props.price);
  return (
    <AppLayout title={bot.name} section="bots" back={{ href: "/", label: "Bots" }} wide>
      <Head title={`${bot.name} · Egis`} />
      <BotTabs botId={bot.id} current="overview" />
      <section aria-label="Bot" className="space-y-2">
        <div className="flex flex-wrap items-center gap-2 text-sm text-muted">
          <VenueBadge venue={bot.venue} label={bot.venue_label} />
          <span className="num text-fg">{bot.symbol}</span>
          <span>· {bot.leverage}x</span>
          {bot.owner && <span>· owner {bot.owner}</span>}
          <Badge
            tone={
              bot.halted_reason || bot.risk_halt
                ? "danger"
                : bot.paused
                  ? "warn"
                  : bot.is_active
                    ? "gain"
                    : "neutral"
            }
          >
            {bot.status_label}
          </Badge>
        </div>
        <BotAlerts bot={bot} />
        <div className="flex flex-wrap items-center gap-2">
          <PauseToggle botId={bot.id} paused={bot.paused} back="bot" />
          {props.close_all_plan && props.close_all_plan.length > 0 && (
            <CloseAllSheet botId={bot.id} plan={props.close_all_plan} text={props.close_all_text} />
          )}
        </div>
        <PriceLine feed={props.price} state={feed} tick={bot.price_tick} />
        <StaleFeedBanner feed={props.price} state={feed} tick={bot.price_tick} />
        <div className="flex flex-wrap items-baseline gap-x-2 text-sm" data-testid="realized-pnl">
          <span className="text-muted">Realized PnL</span>
          <Money value={bot.realized_pnl_usd} pnl className="font-medium" />
          <InfoHint label="realized PnL" text={bot.realized_pnl_hint} />
        </div>
      </section>

      <FeedProvider state={feed}>
        <div className={COLUMNS}>
          <div className={COLUMN}>
            <div className="order-4 lg:order-none">
              <PriceChart chart={props.chart} tick={bot.price_tick} />
            </div>
            <Card className="order-3 lg:order-none">
              <CardHeader className="flex-wrap">
                <CardTitle>Positions</CardTitle>
                {props.paper_sync && <PaperSyncSheet botId={bot.id} />}
              </CardHeader>
              <OffPagePositionErrors
                shown={[...props.open_positions, ...props.closed.items].map((p) => p.id)}
              />
              <div className="mb-2 flex items-baseline justify-between text-sm">
                <h3 className="font-medium">Open ({props.open_positions.length})</h3>
                {bot.unrealized_pnl_usd != null && props.open_positions.length > 0 && (
                  <span className="text-muted" data-testid="bot-unrealized">
                    Unrealized{" "}
                    <LiveFigure>
                      <Money value={bot.unrealized_pnl_usd} pnl />
                    </LiveFigure>
                  </span>
                )}
              </div>
              {props.open_positions.length === 0 ? (
                <p className="mb-4 text-sm text-muted">No open positions.</p>
              ) : (
                <ul className="mb-4 space-y-2">
                  {props.open_positions.map((p) => (
                    <OpenPositionRow key={p.id} botId={bot.id} position={p} steps={bot} />
                  ))}
                </ul>
              )}
              <div className="mb-1 flex items-baseline justify-between border-t border-border pt-3 text-sm">
                <h3 className="font-medium">Closed ({props.closed.total})</h3>
                <span className="text-muted">
                  Realized <Money value={bot.realized_pnl_usd} pnl />
                </span>
              </div>
              <ClosedPositions botId={bot.id} closed={props.closed} steps={bot} />
            </Card>
            <div className="order-5 lg:order-none">
              <PnlChart points={props.pnl_series} hint={bot.realized_pnl_hint} />
            </div>
          </div>
          <div className={COLUMN}>
            <div className="order-1 lg:order-none">
              <BudgetCard budget={props.budget} trace={props.budget_trace}>
                <RiskLimitsLine limits={bot.risk_limits} />
              </BudgetCard>
            </div>
            <div className="order-2 lg:order-none">
              <OpenPositionForm
                botId={bot.id}
                disabledReason={bot.open_disabled_reason}
                formKey={props.open_form_key}
                priceKey={`${props.price.price}@${props.price.as_of}`}
              />
            </div>
            <div className="order-6 lg:order-none">
              <SignalsCard botId={bot.id} card={props.signals} />
            </div>
            <div className="order-7 lg:order-none">
              <SettingsHistory botId={bot.id} history={props.history} />
            </div>
          </div>
        </div>
      </FeedProvider>

      {/* Dismissing replaces the history entry that holds the secret, so Back cannot show it. */}
      <SecretDialog
        secret={props.secret}
        onDismiss={() => router.visit(`/bots/${bot.id}`, { replace: true, preserveScroll: true })}
      />

      <BotSettings
        botId={bot.id}
        botName={bot.name}
        openPositions={props.open_positions.length}
        archivable={props.archivable}
        canArchive={props.can_archive}
      />
    </AppLayout>
  );
}
