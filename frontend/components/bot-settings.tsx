import { Link, router } from "@inertiajs/react";
import * as React from "react";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { Label, Select } from "@/components/ui/input";
import { formatUsd } from "@/lib/money";
import type { PositionRow } from "@/types";

/** The rarely used, dangerous actions, kept far from the Close buttons. */
export function BotSettings({
  botId,
  botName,
  openPositions,
  archivable,
  canArchive,
}: {
  botId: number;
  botName: string;
  openPositions: number;
  archivable: PositionRow[];
  canArchive: boolean;
}) {
  const [pending, setPending] = React.useState(false);
  const [archiveId, setArchiveId] = React.useState<string>("");
  const chosen = archivable.find((p) => String(p.id) === archiveId);
  const post = (url: string, data: Record<string, string>, done: () => void) => {
    setPending(true);
    router.post(url, data, {
      preserveScroll: true,
      onFinish: () => {
        setPending(false);
        done();
      },
    });
  };
  return (
    <Card>
      <CardHeader>
        <CardTitle>Bot settings</CardTitle>
      </CardHeader>
      <div className="space-y-5">
        <div className="flex items-center justify-between gap-3">
          <p className="text-sm text-muted">Name, budget, leverage and risk limits.</p>
          <Button asChild variant="secondary" size="sm">
            <Link href={`/bots/${botId}/edit`}>Edit bot</Link>
          </Button>
        </div>

        {canArchive && (
          <div className="border-t border-border pt-4">
            <Label htmlFor="archive-position">Archive a closed position (admin)</Label>
            <p className="mb-2 text-sm text-muted">
              Hides it from the list; its rows and audit trail stay.
            </p>
            <div className="flex gap-2">
              <Select
                id="archive-position"
                value={archiveId}
                onChange={(e) => setArchiveId(e.target.value)}
              >
                <option value="">Choose a position…</option>
                {archivable.map((p) => (
                  <option key={p.id} value={p.id}>
                    #{p.id} {p.side} {formatUsd(p.display.size_usd)} ({p.status})
                  </option>
                ))}
              </Select>
              <ConfirmDialog
                title={`Archive position #${archiveId}?`}
                description={
                  chosen
                    ? `Position #${chosen.id} (${chosen.side}, ${formatUsd(chosen.display.size_usd)}, ${chosen.status}) disappears from the lists. Nothing is erased: the row, its orders and its audit trail stay in the ledger.`
                    : ""
                }
                confirmLabel="Archive position"
                pending={pending}
                onConfirm={(done) =>
                  post(`/bots/${botId}/positions/${archiveId}/archive`, {}, done)
                }
                trigger={
                  <Button variant="secondary" disabled={!chosen}>
                    Archive
                  </Button>
                }
              />
            </div>
          </div>
        )}

        <div className="border-t border-border pt-4">
          <div className="flex items-center justify-between gap-3">
            <div>
              <p className="text-sm font-medium text-error">Delete bot</p>
              <p className="text-sm text-muted">
                {openPositions > 0
                  ? `Refused while ${openPositions} position${openPositions === 1 ? " is" : "s are"} open: close ${openPositions === 1 ? "it" : "them"} first.`
                  : "Removes the bot from the dashboard; its history stays in the ledger."}
              </p>
            </div>
            <ConfirmDialog
              title={`Delete ${botName}?`}
              description={`The bot stops trading and disappears from the dashboard. Its positions, orders and audit trail stay in the ledger. This cannot be undone from the app.`}
              confirmLabel="Delete bot"
              destructive
              pending={pending}
              onConfirm={(done) => post(`/bots/${botId}/delete`, {}, done)}
              trigger={
                <Button variant="danger-outline" size="sm">
                  Delete…
                </Button>
              }
            />
          </div>
        </div>
      </div>
    </Card>
  );
}
