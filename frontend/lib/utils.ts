import { type ClassValue, clsx } from "clsx";

/** Join class names. Conflicts are not resolved (tailwind-merge cost 8 kB gzip on every page):
 * a component's base classes must not set what its variants or callers set; when a caller's
 * class must win over a base one, Tailwind v4's order decides (a side such as `pl-7` comes after
 * `px-3`, so it wins). frontend/tests/class-conflicts.test.ts checks the primitives. */
export function cn(...inputs: ClassValue[]): string {
  return clsx(inputs);
}

// The clock and its zone never part at a line's end ("00:12" on one line, "UTC" alone on the
// next): a no-break space joins them.
const UTC = "\u00a0UTC";

/** "27 Nov, 00:12 UTC" (the last space a no-break one). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  return (
    date.toLocaleString("en-GB", {
      day: "2-digit",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
      timeZone: "UTC",
    }) + UTC
  );
}

const utcDay = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});
const utcClockSeconds = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  hourCycle: "h23",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** A time in a list of things that happen seconds apart (signals): today's (UTC) to the second,
 * "21:04:37 UTC"; an older one with its date, as formatDateTime shows it. */
export function formatRecentTime(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  if (utcDay.format(date) !== utcDay.format(now)) return formatDateTime(iso);
  return `${utcClockSeconds.format(date)}${UTC}`;
}
