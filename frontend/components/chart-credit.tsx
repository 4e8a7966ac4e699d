// TradingView's attribution for lightweight-charts. Its licence (Apache 2.0 with TradingView's
// NOTICE; README "License" and LayoutOptions.attributionLogo in its docs) asks for the NOTICE's
// attribution notice and a link to https://www.tradingview.com/ on a page the users can reach;
// the on-chart logo (`attributionLogo`) is only one way to give that link, and may be turned
// off when the page gives it otherwise. The logo sat over the price line on a phone, so each
// chart carries this link under its plot instead (frontend/lib/lw-chart.ts turns the logo off),
// and the Settings page shows the notice itself (CreditsCard).
import { Card, CardHeader, CardTitle } from "@/components/ui/card";

export const TRADINGVIEW_URL = "https://www.tradingview.com/";
/** The attribution notice of lightweight-charts' NOTICE file, word for word. */
export const TRADINGVIEW_NOTICE = [
  "TradingView Lightweight Charts",
  "Copyright (c) 2023 TradingView, Inc. https://www.tradingview.com/",
];

function TradingViewLink({ children }: { children: React.ReactNode }) {
  return (
    <a
      href={TRADINGVIEW_URL}
      target="_blank"
      rel="noopener noreferrer"
      className="inline-flex min-h-11 items-center text-xs text-muted underline underline-offset-2 hover:text-fg"
    >
      {children}
    </a>
  );
}

/** The line under a chart's plot: a link to TradingView, clear of the data. */
export function ChartCredit() {
  return (
    <div className="-mb-3 flex justify-end" data-testid="chart-credit">
      <TradingViewLink>Charts by TradingView</TradingViewLink>
    </div>
  );
}

/** The notice of the software the pages' charts are drawn with (Settings page). */
export function CreditsCard() {
  return (
    <Card data-testid="credits">
      <CardHeader>
        <CardTitle>Credits</CardTitle>
      </CardHeader>
      <p className="text-sm text-muted">
        The price and PnL charts are drawn with TradingView Lightweight Charts™ (Apache License
        2.0):
      </p>
      <p className="mt-2 text-sm">
        {TRADINGVIEW_NOTICE[0]}
        <br />
        {TRADINGVIEW_NOTICE[1].replace(` ${TRADINGVIEW_URL}`, "")}{" "}
        <TradingViewLink>tradingview.com</TradingViewLink>
      </p>
    </Card>
  );
}
