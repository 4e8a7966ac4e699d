import { Info } from "lucide-react";
import * as React from "react";

/** A small (i) button that shows a definition written by the server; tap to show, tap to hide.
 * A tap target of 44 px, and the text is in the page (not a hover-only tooltip) for phones. */
export function InfoHint({ label, text }: { label: string; text: string }) {
  const [open, setOpen] = React.useState(false);
  const id = React.useId();
  return (
    <>
      <button
        type="button"
        aria-label={`What is ${label}?`}
        aria-expanded={open}
        aria-controls={id}
        title={text}
        onClick={() => setOpen((v) => !v)}
        className="-m-3 inline-flex size-11 items-center justify-center rounded-full text-muted hover:text-fg"
      >
        <Info className="size-3.5" aria-hidden />
      </button>
      {open && (
        <span id={id} role="note" className="block basis-full text-xs font-normal text-muted">
          {text}
        </span>
      )}
    </>
  );
}
