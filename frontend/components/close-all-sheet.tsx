import { router } from "@inertiajs/react";
import { OctagonX } from "lucide-react";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { SideBadge } from "@/components/positions";
import { Button } from "@/components/ui/button";
import { FieldError } from "@/components/ui/input";
import { useShared } from "@/hooks/use-shared";
import { formatUsd } from "@/lib/money";
import type { PlannedClose } from "@/types";

/** Admins: close every open position of the bot, one close order each. The sheet lists exactly
 * what will be sent (the server refuses if that changed meanwhile). */
export function CloseAllSheet({ botId, plan }: { botId: number; plan: PlannedClose[] }) {
  const { errors } = useShared();
  const sendable = plan.filter((p) => p.sendable);
  const skipped = plan.filter((p) => !p.sendable);
  return (
    <div>
      <ConfirmDialog
        trigger={
          <Button variant="danger-outline" size="sm" data-testid="close-all">
            <OctagonX className="size-4" aria-hidden /> Close all
          </Button>
        }
        title={`Close all ${sendable.length} open position${sendable.length === 1 ? "" : "s"}?`}
        description="Each is sent as its own reduce-only market close through the order pipeline. Audited."
        confirmLabel={`Send ${sendable.length} close${sendable.length === 1 ? "" : "s"}`}
        destructive
        onConfirm={(done) =>
          router.post(
            `/bots/${botId}/close-all`,
            { confirm: true, expected: sendable.length },
            { preserveScroll: true, onFinish: done },
          )
        }
      >
        <ul className="mb-3 divide-y divide-border text-sm" data-testid="close-all-plan">
          {sendable.map((p) => (
            <li key={p.position_id} className="flex items-center justify-between gap-2 py-2">
              <span className="flex items-center gap-2">
                <SideBadge side={p.side} />
                <span className="text-muted">#{p.position_id}</span>
              </span>
              <span className="num text-right">
                {p.qty} {p.symbol}
                <span className="ml-2 text-muted">{formatUsd(p.size_usd)}</span>
              </span>
            </li>
          ))}
        </ul>
        {sendable.length === 0 && <p className="mb-3 text-sm text-muted">Nothing to send.</p>}
        {skipped.length > 0 && (
          <p className="mb-3 text-sm text-muted">
            Not sent now: {skipped.map((p) => `#${p.position_id} (${p.why_not})`).join(", ")}
          </p>
        )}
      </ConfirmDialog>
      <FieldError message={errors.close_all} />
    </div>
  );
}
