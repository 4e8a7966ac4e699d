import { CheckCircle2, TriangleAlert } from "lucide-react";

import type { FlashMessage } from "@/types";

export function FlashMessages({ messages }: { messages: FlashMessage[] }) {
  if (!messages.length) return null;
  return (
    <div className="space-y-2" role="status" aria-live="polite">
      {messages.map((m, i) => {
        const bad = m.level === "error" || m.level === "warning";
        return (
          <div
            key={i}
            className={
              bad
                ? "flex items-start gap-2 rounded-lg border border-[#7f2a2a] bg-[#2a1010] p-3 text-sm text-[#fecaca]"
                : "flex items-start gap-2 rounded-lg border border-[#1f5a36] bg-[#0e2418] p-3 text-sm text-[#bbf7d0]"
            }
          >
            {bad ? (
              <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
            ) : (
              <CheckCircle2 className="mt-0.5 size-4 shrink-0" aria-hidden />
            )}
            <span>{m.message}</span>
          </div>
        );
      })}
    </div>
  );
}
