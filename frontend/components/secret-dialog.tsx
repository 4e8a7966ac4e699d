import { ShieldAlert } from "lucide-react";
import * as React from "react";

import { CopyButton } from "@/components/copy-button";
import { Button } from "@/components/ui/button";
import { Sheet, SheetContent, SheetFooter } from "@/components/ui/sheet";
import type { SecretProp } from "@/types";

/**
 * A secret the server shows once (a generated password, a new API token). The dialog stays
 * open until the person dismisses it with "Done" or the close button: a tap outside or Escape
 * does not lose it. `onDismiss` lets the page drop the secret from its props and history.
 */
export function SecretDialog({
  secret,
  onDismiss,
}: {
  secret: SecretProp | null;
  onDismiss: () => void;
}) {
  const [open, setOpen] = React.useState(secret !== null);
  // A new secret (another reset in the same page) opens the dialog again.
  React.useEffect(() => setOpen(secret !== null), [secret]);
  if (secret === null) return null;
  const close = () => {
    setOpen(false);
    onDismiss();
  };
  return (
    <Sheet open={open} onOpenChange={(next) => (next ? setOpen(true) : close())}>
      <SheetContent
        title={secret.title}
        description={secret.description}
        onInteractOutside={(event) => event.preventDefault()}
        onEscapeKeyDown={(event) => event.preventDefault()}
        data-testid="secret-dialog"
      >
        <ul className="space-y-3">
          {secret.items.map((item) => (
            <li key={item.label} className="rounded-lg border border-border bg-bg p-3">
              <div className="mb-1 flex items-start justify-between gap-3">
                <span className="pt-2.5 text-sm font-medium">{item.label}</span>
                <CopyButton value={item.value} label={item.label} />
              </div>
              <code
                className="block font-mono text-sm break-all whitespace-pre-wrap select-all"
                data-testid={`secret-${item.label}`}
              >
                {item.value}
              </code>
            </li>
          ))}
        </ul>
        <p className="mt-3 flex items-start gap-2 text-sm text-muted">
          <ShieldAlert className="mt-0.5 size-4 shrink-0 text-warn" aria-hidden />
          {/* A note names the one thing it keeps ("the secret"), so "it" refers to that. */}
          {secret.note
            ? `${secret.note}: once this dialog is closed it cannot be shown again.`
            : `Egis keeps only a hash: once this dialog is closed it cannot show ${
                secret.items.length === 1 ? "it" : "them"
              } again.`}
        </p>
        <SheetFooter>
          <Button onClick={close}>Done, I have copied it</Button>
        </SheetFooter>
      </SheetContent>
    </Sheet>
  );
}
