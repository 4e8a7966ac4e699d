import { type ClassValue, clsx } from "clsx";

/** Join class names. Conflicts are not resolved (tailwind-merge cost 8 kB gzip on every page):
 * a component's base classes must not set what its variants or callers set; when a caller's
 * class must win over a base one, Tailwind v4's order decides (a side such as `pl-7` comes after
 * `px-3`, so it wins). frontend/tests/class-conflicts.test.ts checks the primitives. */
export function cn(...inputs: ClassValue[]): string {
  return clsx(inputs);
}

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
    }) + " UTC"
  );
}
