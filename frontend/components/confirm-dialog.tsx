import * as React from "react";

import { Button } from "@/components/ui/button";
import { Sheet, SheetClose, SheetContent, SheetFooter } from "@/components/ui/sheet";

/** A confirm sheet that names what will happen; the trigger is passed in by the caller. */
export function ConfirmDialog({
  trigger,
  title,
  description,
  confirmLabel,
  destructive = false,
  onConfirm,
  pending = false,
  children,
}: {
  trigger: React.ReactNode;
  title: string;
  description: React.ReactNode;
  confirmLabel: string;
  destructive?: boolean;
  onConfirm: (close: () => void) => void;
  pending?: boolean;
  children?: React.ReactNode;
}) {
  const [open, setOpen] = React.useState(false);
  // Pending from the confirm press until the caller reports the request finished.
  const [busy, setBusy] = React.useState(false);
  const working = pending || busy;
  return (
    <Sheet open={open} onOpenChange={(next) => (working && !next ? undefined : setOpen(next))}>
      <span onClick={() => setOpen(true)} className="contents">
        {trigger}
      </span>
      <SheetContent title={title} description={description}>
        {children}
        <SheetFooter>
          <SheetClose asChild>
            <Button variant="secondary" disabled={working}>
              Cancel
            </Button>
          </SheetClose>
          <Button
            variant={destructive ? "danger" : "primary"}
            pending={working}
            onClick={() => {
              setBusy(true);
              onConfirm(() => {
                setBusy(false);
                setOpen(false);
              });
            }}
          >
            {confirmLabel}
          </Button>
        </SheetFooter>
      </SheetContent>
    </Sheet>
  );
}
