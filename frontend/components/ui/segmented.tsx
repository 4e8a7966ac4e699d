import { cn } from "@/lib/utils";

export interface SegmentOption<T extends string> {
  value: T;
  label: string;
  activeClass?: string;
}

// A radio group drawn as a segmented control; arrow keys move between options.
export function Segmented<T extends string>({
  value,
  onChange,
  options,
  label,
}: {
  value: T;
  onChange: (value: T) => void;
  options: SegmentOption<T>[];
  label: string;
}) {
  return (
    <div
      role="radiogroup"
      aria-label={label}
      className="grid grid-flow-col gap-1 rounded-lg border border-border bg-bg p-1"
    >
      {options.map((option, index) => {
        const selected = option.value === value;
        return (
          <button
            key={option.value}
            type="button"
            role="radio"
            aria-checked={selected}
            tabIndex={selected ? 0 : -1}
            onClick={() => onChange(option.value)}
            onKeyDown={(event) => {
              if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
                event.preventDefault();
                const step = event.key === "ArrowRight" ? 1 : -1;
                const next = options[(index + step + options.length) % options.length];
                onChange(next.value);
                const siblings = event.currentTarget.parentElement?.querySelectorAll("button");
                siblings?.[(index + step + options.length) % options.length]?.focus();
              }
            }}
            className={cn(
              "min-h-11 rounded-md px-4 text-sm font-semibold transition-colors",
              selected
                ? (option.activeClass ?? "bg-surface-2 text-fg")
                : "text-muted hover:text-fg",
            )}
          >
            {option.label}
          </button>
        );
      })}
    </div>
  );
}
