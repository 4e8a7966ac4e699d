import { AreaSeries } from "lightweight-charts";
import * as React from "react";

import { ChartCredit } from "@/components/chart-credit";
import { InfoHint } from "@/components/info-hint";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { pnlAxis, TAG_CLEAR_PX, tickLabels, toPnlData } from "@/lib/chart-data";
import { cardChart, themeColor, withAlpha } from "@/lib/lw-chart";
import { formatUsd, signOf } from "@/lib/money";
import { cn } from "@/lib/utils";
import type { PnlPoint } from "@/types";

/** Cumulative realized PnL (net of fees) per closed position, as the server summed it. The
 * server sends the last closes only; `n` is each one's close number over the bot's whole life. */
export function PnlChart({ points, hint }: { points: PnlPoint[]; hint: string }) {
  const box = React.useRef<HTMLDivElement>(null);
  const enough = points.length >= 2;
  const last = points.length ? points[points.length - 1].cumulative_usd : "0";
  const total = points.length ? points[points.length - 1].n : 0;
  const windowed = points.length > 0 && points[0].n > 1;
  const sign = signOf(last);

  React.useEffect(() => {
    if (!enough || !box.current) return;
    const chart = cardChart(box.current, pnlAxis(points));
    const line = themeColor("accent-hover");
    const series = chart.addSeries(AreaSeries, {
      lineColor: line,
      lineWidth: 2,
      topColor: withAlpha(line, 0.35),
      bottomColor: withAlpha(line, 0),
      // Whole cents on the axis: no two ticks print the same label.
      priceFormat: {
        type: "custom",
        minMove: 0.01,
        formatter: (value: number) => formatUsd(value.toFixed(2)),
      },
      priceLineVisible: false,
    });
    series.setData(toPnlData(points));
    // No tick label half under the last value's tag ("-$0.15" peeking out of "-$0.14").
    const usd = (value: number) => formatUsd(value.toFixed(2));
    const lastValue = Number(last);
    chart.applyOptions({
      localization: {
        tickmarksPriceFormatter: (ticks: number[]) =>
          tickLabels(ticks, [lastValue], (p) => series.priceToCoordinate(p), TAG_CLEAR_PX, usd),
      },
    });
    chart.timeScale().fitContent();
    return () => chart.remove();
  }, [points, enough, last]);

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
      {!enough ? (
        <p className="flex h-32 items-center justify-center rounded-lg border border-dashed border-border text-sm text-muted">
          {points.length === 0
            ? "No closed positions yet."
            : "The chart starts after two closed positions."}
        </p>
      ) : (
        <div
          ref={box}
          className="h-44"
          role="img"
          aria-label={`Cumulative realized PnL, now ${formatUsd(last)}`}
          data-testid="pnl-chart"
        />
      )}
      {enough && <ChartCredit />}
    </Card>
  );
}
