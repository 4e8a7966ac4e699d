// Formatting only: the server sends exact decimal strings and does every calculation.
// Rounding happens on the digits of the string, never through a float.

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

type Rounding = "half-even" | "toward-zero";

function roundCents(whole: string, frac: string, mode: Rounding): [string, string] {
  const kept = (frac + "00").slice(0, 2);
  const rest = frac.slice(2);
  let roundUp = false;
  if (mode === "half-even" && rest.length > 0) {
    const first = rest[0];
    const tail = rest.slice(1);
    if (first > "5") roundUp = true;
    else if (first === "5") {
      roundUp = /[1-9]/.test(tail) || Number(kept[1]) % 2 === 1;
    }
  }
  if (!roundUp) return [whole, kept];
  // Add one cent to the digit string.
  const digits = (whole + kept).split("").map(Number);
  let i = digits.length - 1;
  while (i >= 0) {
    if (digits[i] === 9) {
      digits[i] = 0;
      i -= 1;
    } else {
      digits[i] += 1;
      break;
    }
  }
  const joined = (i < 0 ? "1" : "") + digits.join("");
  return [joined.slice(0, -2), joined.slice(-2)];
}

function groupThousands(whole: string): string {
  const trimmed = whole.replace(/^0+(?=\d)/, "");
  return trimmed.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A decimal string with its whole part grouped by thousands: "125000.00" reads "125,000.00",
 * "-1234.5" reads "-1,234.5" (the digits themselves unchanged). */
export function groupDigits(value: string): string {
  const match = DECIMAL.exec(value.trim());
  if (!match) return value;
  const [, sign = "", whole, frac] = match;
  return `${sign === "+" ? "" : sign}${groupThousands(whole)}${frac === undefined ? "" : "." + frac}`;
}

/** "$8.83", "-$1.25", "$1,234.50"; zero is always "$0.00", never "-$0.00". */
export function formatUsd(
  value: string | null | undefined,
  options: { towardZero?: boolean; signed?: boolean } = {},
): string {
  if (value === null || value === undefined || value === "") return "—";
  const match = DECIMAL.exec(value.trim());
  if (!match) return "—";
  const [, sign, whole, frac = ""] = match;
  const [w, c] = roundCents(whole, frac, options.towardZero ? "toward-zero" : "half-even");
  const isZero = /^0*$/.test(w + c);
  const negative = sign === "-" && !isZero;
  const body = `$${groupThousands(w)}.${c}`;
  if (negative) return `-${body}`;
  if (options.signed && !isZero) return `+${body}`;
  return body;
}

/** -1, 0 or 1 for a decimal string: which colour a PnL figure gets (never computed further). */
export function signOf(value: string | null | undefined): -1 | 0 | 1 {
  if (!value) return 0;
  const match = DECIMAL.exec(value.trim());
  if (!match) return 0;
  const [, sign, whole, frac = ""] = match;
  if (/^0*$/.test(whole + frac)) return 0;
  return sign === "-" ? -1 : 1;
}

/** True when two decimal strings name the same amount ("10.00" and "10" are equal). */
export function sameAmount(a: string | null | undefined, b: string | null | undefined): boolean {
  const norm = (v: string | null | undefined) => {
    if (!v) return "";
    const m = DECIMAL.exec(v.trim());
    if (!m) return v;
    const [, sign, whole, frac = ""] = m;
    const w = whole.replace(/^0+(?=\d)/, "");
    const f = frac.replace(/0+$/, "");
    const zero = /^0*$/.test(w + f);
    return `${zero ? "" : sign === "-" ? "-" : ""}${w}${f ? "." + f : ""}`;
  };
  return norm(a) === norm(b);
}

/** Decimal places of a step such as a price tick ("0.01" -> 2, "1" -> 0); null when unknown. */
export function placesOf(step: string | null | undefined): number | null {
  if (!step) return null;
  const match = DECIMAL.exec(step.trim());
  if (!match) return null;
  return (match[3] ?? "").replace(/0+$/, "").length;
}

/**
 * A price or quantity at its symbol's precision: "590.9" with tick "0.01" reads "590.90".
 * Only zeros are added; a figure finer than the step (an average price) keeps every digit.
 */
export function formatStep(
  value: string | null | undefined,
  step: string | null | undefined,
): string {
  if (value === null || value === undefined || value === "") return "—";
  const places = placesOf(step);
  const match = DECIMAL.exec(value.trim());
  if (places === null || !match) return value;
  const [, sign = "", whole, frac = ""] = match;
  if (frac.length >= places) return value.trim();
  const padded = frac.padEnd(places, "0");
  return `${sign === "+" ? "" : sign}${whole}${padded ? "." + padded : ""}`;
}

/** A price at its symbol's tick and grouped by thousands, like the money beside it:
 * "99999" with tick "0.01" reads "99,999.00" (formatStep, then groupDigits). */
export function formatPrice(
  value: string | null | undefined,
  tick: string | null | undefined,
): string {
  return groupDigits(formatStep(value, tick));
}
