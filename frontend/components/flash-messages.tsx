import { CheckCircle2, TriangleAlert, X } from "lucide-react";
import * as React from "react";

import type { FlashMessage } from "@/types";

// Results of an action float at the bottom of the screen, just above the phone's tab bar (at the
// bottom edge on a desktop), so they are seen wherever the page was scrolled (visits keep the
// scroll position) and never cover the top bar: its title and its action. Only the toasts
// themselves take taps; the strip around them lets taps through. While toasts show, the page
// gets as much room again at its bottom (`--toast-room`, read by the layout's <main>), so the
// last row and its buttons can always be scrolled clear of them. Successes fade after a short
// while and can be dismissed at once; problems stay until dismissed.
const SUCCESS_MS = 4000;

/** Tell the layout how tall the toast stack is (0 when there is none). */
function useToastRoom(stack: React.RefObject<HTMLDivElement | null>, count: number) {
  // A layout effect: the room changes in the same commit as the stack, never a frame later.
  React.useLayoutEffect(() => {
    const root = document.documentElement;
    const el = stack.current;
    if (!el || count === 0) {
      root.style.removeProperty("--toast-room");
      return;
    }
    const set = () => root.style.setProperty("--toast-room", `${el.offsetHeight}px`);
    set();
    const watch = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(set);
    watch?.observe(el);
    return () => {
      watch?.disconnect();
      root.style.removeProperty("--toast-room");
    };
  }, [stack, count]);
}

function isProblem(m: FlashMessage): boolean {
  return m.level === "error" || m.level === "warning";
}

export function FlashMessages({ messages }: { messages: FlashMessage[] }) {
  // Each visit sends a new array: hidden indices only count for the array they were hidden in.
  const [hidden, setHidden] = React.useState<{ source: FlashMessage[]; indices: number[] }>({
    source: messages,
    indices: [],
  });
  const hiddenNow = hidden.source === messages ? hidden.indices : [];

  React.useEffect(() => {
    const quiet = messages.flatMap((m, i) => (isProblem(m) ? [] : [i]));
    if (!quiet.length) return;
    const timer = window.setTimeout(
      () =>
        setHidden((prev) => ({
          source: messages,
          indices: [...(prev.source === messages ? prev.indices : []), ...quiet],
        })),
      SUCCESS_MS,
    );
    return () => window.clearTimeout(timer);
  }, [messages]);

  const dismiss = (index: number) =>
    setHidden((prev) => ({
      source: messages,
      indices: [...(prev.source === messages ? prev.indices : []), index],
    }));

  const visible = messages.map((m, i) => ({ m, i })).filter(({ i }) => !hiddenNow.includes(i));
  const stack = React.useRef<HTMLDivElement>(null);
  useToastRoom(stack, visible.length);
  return (
    <div
      className="pointer-events-none fixed inset-x-0 bottom-[calc(4rem+env(safe-area-inset-bottom))] z-40 lg:bottom-6 lg:left-60"
      role="status"
      aria-live="polite"
      data-testid="toasts"
    >
      <div ref={stack} className="mx-auto max-w-3xl space-y-2 px-4 lg:px-8">
        {visible.map(({ m, i }) => {
          const bad = isProblem(m);
          return (
            <div
              key={i}
              className={
                "pointer-events-auto flex items-start gap-2 rounded-lg border py-1 pr-1 pl-3 text-sm shadow-lg shadow-black/60 " +
                (bad
                  ? "border-danger-border bg-danger-surface text-danger-fg"
                  : "border-gain-border bg-gain-surface text-gain-fg")
              }
            >
              {bad ? (
                <TriangleAlert className="mt-3 size-4 shrink-0" aria-hidden />
              ) : (
                <CheckCircle2 className="mt-3 size-4 shrink-0" aria-hidden />
              )}
              {/* min-w-0: a flex item otherwise grows to its longest word (an 80-character bot
                  name ran off the screen); such a word wraps rather than overflow. */}
              <span className="min-w-0 flex-1 py-2.5 [overflow-wrap:anywhere]">{m.message}</span>
              <button
                type="button"
                onClick={() => dismiss(i)}
                className="inline-flex size-11 shrink-0 items-center justify-center rounded-md opacity-80 hover:bg-black/30 hover:opacity-100"
                aria-label="Dismiss message"
              >
                <X className="size-4" aria-hidden />
              </button>
            </div>
          );
        })}
      </div>
    </div>
  );
}
