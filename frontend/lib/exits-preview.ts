// The Open form's take-profit / stop-loss previews, from the quote's answer (egis.exits.quote).
// Each exit's preview depends only on its own field (and the side, which sets its direction):
// a stop-loss being typed, refused, or re-asked never hides the take-profit's trigger price,
// nor does the amount. The server says the words; this only picks which of them still apply.

export type ExitKind = "take_profit" | "stop_loss";
const KINDS: ExitKind[] = ["take_profit", "stop_loss"];

export interface ExitsQuote {
  summaries: Partial<Record<ExitKind, string>>; // "Take-profit at $2,993.25 (+2.00%)"
  errors: Partial<Record<ExitKind, string>>; // what the open would refuse about that exit
}

/** What the exits were asked as: the side and each field's text ("1%" or "3000"). */
export interface ExitsAsked {
  side: string;
  take_profit: string;
  stop_loss: string;
}

interface FieldError {
  field: string; // "stop_loss.price", "take_profit.pct"
  message: string;
}

/** The quote body's exits, by kind. */
export function exitsFromBody(body: {
  exits?: { kind: ExitKind; summary: string }[];
  exits_errors?: FieldError[];
  exits_error?: FieldError | null;
}): ExitsQuote {
  const quote: ExitsQuote = { summaries: {}, errors: {} };
  for (const row of body.exits ?? []) quote.summaries[row.kind] = row.summary;
  const errors = body.exits_errors ?? (body.exits_error ? [body.exits_error] : []);
  for (const error of errors) {
    const kind = KINDS.find((k) => error.field.startsWith(k));
    if (kind && !quote.errors[kind]) quote.errors[kind] = error.message;
  }
  return quote;
}

/** The part of an answer asked as `asked` that still speaks for the fields as they are `now`:
 * an exit keeps its preview (or its refusal) while its own field and the side are unchanged. */
export function exitsStillMeant(
  held: { asked: ExitsAsked; quote: ExitsQuote } | null,
  now: ExitsAsked,
): ExitsQuote | null {
  if (!held || held.asked.side !== now.side) return null;
  const quote: ExitsQuote = { summaries: {}, errors: {} };
  for (const kind of KINDS) {
    if (!now[kind] || held.asked[kind] !== now[kind]) continue;
    const summary = held.quote.summaries[kind];
    const error = held.quote.errors[kind];
    if (summary) quote.summaries[kind] = summary;
    if (error) quote.errors[kind] = error;
  }
  return quote;
}
