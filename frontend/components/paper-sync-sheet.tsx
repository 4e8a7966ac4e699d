import { router } from "@inertiajs/react";
import { CheckCircle2, RefreshCw } from "lucide-react";
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
            <p
              role="alert"
              className="rounded-lg border border-danger-border bg-danger-surface p-3 text-sm text-danger-fg"
            >
              {state.message}
            </p>
          )}
          {"result" in state && (
            <div data-testid="paper-sync-result">
              <p className="mb-3 flex items-start gap-1.5 text-sm" role="status">
                {state.step === "applied" ? (
                  // The server's message already says "Applied: ..."; the icon marks it done.
                  <CheckCircle2 className="mt-0.5 size-4 shrink-0 text-gain" aria-hidden />
                ) : (
                  <strong className="shrink-0 text-fg">Dry run.</strong>
                )}
                <span>{state.result.message}</span>
              </p>
              {changes.length > 0 && (
                <ul className="num divide-y divide-border rounded-lg border border-border text-sm">
                  {changes.map((c, i) => (
                    <li key={i} className="px-3 py-2.5">
                      <div className="flex items-center gap-2">
                        <span className="rounded bg-surface-2 px-1.5 py-0.5 text-xs font-semibold capitalize">
                          {c.action}
                        </span>
                        <span className="font-medium">
                          {c.symbol}
                          {c.field ? ` ${c.field}` : ""}
                        </span>
                      </div>
                      <div className="mt-1 break-words text-muted">
                        <span>{c.before ?? "no row"}</span>
                        <span aria-label="becomes"> → </span>
                        <span className="text-fg">{c.after ?? "no row"}</span>
                      </div>
                      {c.detail ? <div className="text-xs text-muted">{c.detail}</div> : null}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          <SheetFooter>
            <SheetClose asChild>
              <Button variant="secondary">{state.step === "applied" ? "Done" : "Cancel"}</Button>
            </SheetClose>
            {(state.step === "preview" || state.step === "applying") &&
              state.result.changes.length > 0 && (
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
