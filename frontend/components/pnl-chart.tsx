import {
  Area,
  AreaChart,
  CartesianGrid,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

import { InfoHint } from "@/components/info-hint";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { centTicks } from "@/lib/chart-ticks";
import { formatUsd, signOf } from "@/lib/money";
import { cn } from "@/lib/utils";
import type { PnlPoint } from "@/types";

/** Cumulative realized PnL (net of fees) per closed position, as the server summed it. The
 * server sends the last closes only; `n` is each one's close number over the bot's whole life. */
export function PnlChart({ points, hint }: { points: PnlPoint[]; hint: string }) {
  // Numbers only for plotting: the labels show the server's exact strings.
  const data = points.map((p) => ({
    n: p.n,
    y: Number(p.cumulative_usd),
    label: p.cumulative_usd,
    pnl: p.pnl_usd,
    id: p.position_id,
  }));
  const last = points.length ? points[points.length - 1].cumulative_usd : "0";
  const total = points.length ? points[points.length - 1].n : 0;
  const windowed = points.length > 0 && points[0].n > 1;
  const ticks = centTicks(data.map((d) => d.y));
  const sign = signOf(last);
  return (
    <Card>
      <CardHeader>
        <CardTitle className="flex flex-wrap items-center gap-x-2">
          Realized PnL <InfoHint label="realized PnL" text={hint} />
        </CardTitle>
        {/* The sign is written out (+/-), the colour only repeats it. */}
        <span
          className={cn(
            "num text-sm",
            sign > 0 ? "text-gain" : sign < 0 ? "text-loss" : "text-muted",
          )}
          data-testid="pnl-total"
        >
          {formatUsd(last, { signed: true })}
        </span>
      </CardHeader>
      {windowed && (
        <p className="-mt-1 mb-2 text-xs text-muted">
          Last {points.length.toLocaleString("en-US")} of {total.toLocaleString("en-US")} closes;
          the line includes every earlier one.
        </p>
      )}
      {data.length < 2 ? (
        <p className="flex h-32 items-center justify-center rounded-lg border border-dashed border-border text-sm text-muted">
          {data.length === 0
            ? "No closed positions yet."
            : "The chart starts after two closed positions."}
        </p>
      ) : (
        <div
          className="h-44"
          role="img"
          aria-label={`Cumulative realized PnL, now ${formatUsd(last)}`}
        >
          <ResponsiveContainer width="100%" height="100%">
            <AreaChart data={data} margin={{ top: 4, right: 4, bottom: 0, left: 0 }}>
              <defs>
                <linearGradient id="pnlFill" x1="0" y1="0" x2="0" y2="1">
                  <stop offset="0%" stopColor="var(--color-accent-hover)" stopOpacity={0.35} />
                  <stop offset="100%" stopColor="var(--color-accent-hover)" stopOpacity={0} />
                </linearGradient>
              </defs>
              <CartesianGrid stroke="var(--color-border)" strokeDasharray="3 3" vertical={false} />
              <XAxis
                dataKey="n"
                tick={{ fill: "var(--color-muted)", fontSize: 11 }}
                tickLine={false}
                axisLine={false}
              />
              <YAxis
                width={56}
                tick={{ fill: "var(--color-muted)", fontSize: 11 }}
                tickLine={false}
                axisLine={false}
                domain={[ticks[0], ticks[ticks.length - 1]]}
                ticks={ticks}
                interval={0}
                allowDecimals
                tickFormatter={(v: number) => formatUsd(String(v))}
              />
              <Tooltip
                contentStyle={{
                  background: "var(--color-surface)",
                  border: "1px solid var(--color-border)",
                  borderRadius: 8,
                }}
                labelStyle={{ color: "var(--color-muted)" }}
                formatter={(_value, _name, item) => [
                  formatUsd((item.payload as { label: string }).label),
                  "Cumulative",
                ]}
                labelFormatter={(n) => `Close #${n}`}
              />
              <Area
                type="linear"
                dataKey="y"
                stroke="var(--color-accent-hover)"
                strokeWidth={2}
                fill="url(#pnlFill)"
                isAnimationActive={false}
              />
            </AreaChart>
          </ResponsiveContainer>
        </div>
      )}
    </Card>
  );
}
