import { groupDigits } from "@/lib/money";

/** A percentage as every page writes it: "29.2%", "+2.00%", "-16,061.72%": the server's digits
 * (never re-rounded), grouped like the prices, no space before "%" (the server's `pct_text`
 * writes its sentences the same way). `signed`: a "+" before a positive value. */
export function formatPct(value: string, { signed = false }: { signed?: boolean } = {}): string {
  const grouped = groupDigits(value.trim());
  const plus = signed && !grouped.startsWith("-") ? "+" : ""; // groupDigits drops a "+"
  return `${plus}${grouped}%`;
}
