import { router } from "@inertiajs/react";
import { RefreshCw } from "lucide-react";
import * as React from "react";

import { Button } from "@/components/ui/button";
import { Sheet, SheetClose, SheetContent, SheetFooter } from "@/components/ui/sheet";
import { Skeleton } from "@/components/ui/skeleton";
import { postJson } from "@/lib/http";
import type { SyncResult } from "@/types";

type State =
  | { step: "idle" }
  | { step: "loading" }
  | { step: "preview"; result: SyncResult }
  | { step: "applying"; result: SyncResult }
  | { step: "applied"; result: SyncResult }
  | { step: "error"; message: string };

export function PaperSyncSheet({ botId }: { botId: number }) {
  const [open, setOpen] = React.useState(false);
  const [state, setState] = React.useState<State>({ step: "idle" });
  const url = `/bots/${botId}/paper-sync`;

  const start = () => {
    setOpen(true);
    setState({ step: "loading" });
    postJson<SyncResult>(url, { confirm: false })
      .then((result) => setState({ step: "preview", result }))
      .catch((e: Error) => setState({ step: "error", message: e.message }));
  };
  const confirm = (preview: SyncResult) => {
    setState({ step: "applying", result: preview });
    postJson<SyncResult>(url, { confirm: true })
      .then((result) => setState({ step: "applied", result }))
      .catch((e: Error) => setState({ step: "error", message: e.message }));
  };
  const onOpenChange = (next: boolean) => {
    setOpen(next);
    if (!next) {
      if (state.step === "applied") router.reload();
      setState({ step: "idle" });
    }
  };

  const changes = "result" in state ? state.result.changes : [];
  return (
    <>
      <Button variant="secondary" size="sm" onClick={start}>
        <RefreshCw className="size-4" aria-hidden /> Sync Paper State
      </Button>
      <Sheet open={open} onOpenChange={onOpenChange}>
        <SheetContent
          title="Sync Paper State"
          description="Rebuilds the paper venue's book from its fills. Your positions and budget are never changed."
        >
          {state.step === "loading" && (
            <div className="space-y-2" aria-label="Loading the dry run">
              <Skeleton className="h-5 w-2/3" />
              <Skeleton className="h-16 w-full" />
            </div>
          )}
          {state.step === "error" && (
            <p role="alert" className="rounded-lg border border-[#7f2a2a] bg-[#2a1010] p-3 text-sm text-[#fecaca]">
              {state.message}
            </p>
          )}
          {"result" in state && (
            <div data-testid="paper-sync-result">
              <p className="mb-3 text-sm" role="status">
                {state.step === "applied" ? (
                  <strong className="text-gain">Applied. </strong>
                ) : (
                  <strong className="text-fg">Dry run. </strong>
                )}
                {state.result.message}
              </p>
              {changes.length > 0 && (
                <div className="overflow-x-auto rounded-lg border border-border">
                  <table className="num w-full text-sm">
                    <thead className="bg-surface-2 text-xs text-muted">
                      <tr>
                        <th className="px-3 py-2 text-left font-medium">Change</th>
                        <th className="px-3 py-2 text-left font-medium">What</th>
                        <th className="px-3 py-2 text-right font-medium">Before → after</th>
                      </tr>
                    </thead>
                    <tbody className="divide-y divide-border">
                      {changes.map((c, i) => (
                        <tr key={i}>
                          <td className="px-3 py-2 capitalize">{c.action}</td>
                          <td className="px-3 py-2">
                            {c.symbol}
                            {c.field ? ` ${c.field}` : ""}
                            {c.detail ? <div className="text-xs text-muted">{c.detail}</div> : null}
                          </td>
                          <td className="px-3 py-2 text-right whitespace-nowrap">
                            {c.before ?? "—"} → {c.after ?? "—"}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </div>
          )}
          <SheetFooter>
            <SheetClose asChild>
              <Button variant="secondary">{state.step === "applied" ? "Done" : "Cancel"}</Button>
            </SheetClose>
            {(state.step === "preview" || state.step === "applying") && state.result.changes.length > 0 && (
              <Button pending={state.step === "applying"} onClick={() => confirm(state.result)}>
                Confirm
              </Button>
            )}
          </SheetFooter>
        </SheetContent>
      </Sheet>
    </>
  );
}
