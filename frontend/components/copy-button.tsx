import { Check, Copy } from "lucide-react";
import * as React from "react";

import { Button } from "@/components/ui/button";

type CopyState = "idle" | "copied" | "failed";

/**
 * Copies `value` with the asynchronous Clipboard API. The API exists only in a secure context
 * (HTTPS or localhost); elsewhere, or when the browser refuses, the button says so and the
 * caller's text stays selectable for a manual copy.
 */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const [state, setState] = React.useState<CopyState>("idle");
  React.useEffect(() => {
    if (state !== "copied") return;
    const timer = window.setTimeout(() => setState("idle"), 2000);
    return () => window.clearTimeout(timer);
  }, [state]);
  const copy = () => {
    if (!navigator.clipboard?.writeText) {
      setState("failed");
      return;
    }
    navigator.clipboard.writeText(value).then(
      () => setState("copied"),
      () => setState("failed"),
    );
  };
  return (
    <div className="flex flex-col items-end gap-1">
      <Button
        type="button"
        variant="secondary"
        size="sm"
        onClick={copy}
        aria-label={`Copy ${label}`}
      >
        {state === "copied" ? (
          <Check className="size-4 text-gain" aria-hidden />
        ) : (
          <Copy className="size-4" aria-hidden />
        )}
        {state === "copied" ? "Copied" : "Copy"}
      </Button>
      <span role="status" className="text-xs text-muted">
        {state === "failed" ? "Copy blocked: select the text and copy it." : ""}
      </span>
    </div>
  );
}
