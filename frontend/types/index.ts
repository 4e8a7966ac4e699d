// Props the Django views send. Money and quantities are exact decimal strings.

export type Money = string;

export interface AuthUser {
  id: number;
  username: string;
  role: "admin" | "user";
  is_admin: boolean;
}

export interface FlashMessage {
  level: string;
  message: string;
}

export interface SharedProps {
  auth: { user: AuthUser | null };
  nav: { open_incidents: number };
  flash: FlashMessage[];
  errors: Record<string, string>;
  [key: string]: unknown;
}

/** The budget service's shown figures: whole cents, reserved + available = initial. */
export interface BudgetFigures {
  initial_budget_usd: Money;
  reserved_usd: Money;
  available_usd: Money;
  reserved_pct: string; // share of the initial budget, for the bar's width only
}

export interface BotSummary {
  id: number;
  name: string;
  venue: "paper" | "binance_futures";
  venue_label: string;
  symbol: string;
  owner: string | null; // only sent to admins
  is_active: boolean;
  halted_reason: string;
  /** Why it is halted, in a trader's words (halted_reason is the stored, machine form). */
  halted_words: string;
  open_incidents: number;
  open_positions: number;
  budget: BudgetFigures;
  /** Closed, non-archived positions, net of their entry and exit fees: the one definition that
   * the list, the bot page, its closed rows and the chart share. */
  realized_pnl_usd: Money;
  /** Shown above: the sum of the closed rows as shown (whole cents); this is the exact figure. */
  realized_pnl_exact_usd: Money;
  /** That definition in words, the exact figure (and the open positions' entry fees, which are
   * not in it). */
  realized_pnl_hint: string;
  unrealized_pnl_usd: Money | null;
  /** When the bot last executed a signal (the Bots list only). */
  last_signal_at?: string | null;
  /** The bot's risk limits (null: off), checked before every open. */
  risk_limits: RiskLimits;
  /** Why opens are halted for the rest of the UTC day (the daily loss limit), or "". */
  risk_halt: string;
}

export interface RiskLimits {
  max_open_positions: number | null;
  max_order_usd: Money | null;
  cooldown_s: number | null;
  daily_loss_limit_usd: Money | null;
}

export interface PositionRow {
  id: number;
  side: "long" | "short";
  status: "open" | "closed" | "cancelled";
  symbol: string;
  size_usd: Money;
  requested_size_usd: Money;
  qty: string;
  entry_price: string | null;
  exit_price: string | null;
  mark_price?: string | null;
  unrealized_pnl_usd?: Money | null;
  realized_pnl_usd: Money;
  net_realized_pnl_usd: Money;
  fees_usd: Money;
  closing: boolean;
  opened_at: string | null;
  closed_at: string | null;
  archived: boolean;
  /** A fill of this position is booked with only the fees the venue had listed so far. */
  fee_pending: boolean;
  /** What the page shows, by the server's display rules; never rounded again here. */
  display: PositionDisplay;
  /** Exits (issue 12): open rows carry their exits and a loud alert when one broke; closed rows
   * say why they closed ("Stop-loss (trigger $171.30)"). */
  exits?: ExitRow[];
  exits_alert?: string;
  close_reason?: string;
  close_reason_text?: string;
  close_reason_label?: string;
  close_trigger_price?: string | null;
}

/** One take-profit, stop-loss or trailing stop of an open position (egis.exits.presenters). */
export interface ExitRow {
  id: number;
  kind: "take_profit" | "stop_loss" | "trailing_stop";
  label: string;
  status: "placing" | "resting" | "triggered" | "cancelled" | "expired" | "failed";
  trigger_price: string | null;
  callback_pct: string | null;
  activation_price: string | null;
  spec: { price?: string; pct?: string; callback_pct?: string; activation_price?: string };
  /** How far the price must move to reach the trigger, in % of the current price (signed). */
  distance_pct: string | null;
  /** Where the trigger sits from the entry price, in % (signed): what the forms take. */
  from_entry_pct?: string | null;
  error: string;
}

/** Whole-cent figures that add up: open sizes to the shown Reserved, closed rows' net realized
 * PnL to the shown realized PnL. */
export interface PositionDisplay {
  size_usd: Money; // the whole cents the position holds (its size rounded up to the cent)
  net_realized_pnl_usd: Money; // realized PnL minus fees, in whole cents (half away from zero)
  fees_usd: Money; // the position's fees in whole cents (half away from zero): the header sums these
  close_text?: string; // open rows: what a close does, in words ("Sells 0.04 BNB at market …")
}

/** The symbol's price tick and quantity step (decimal strings), or null when unknown. */
export interface SymbolSteps {
  price_tick: string | null;
  qty_step: string | null;
}

export interface Paginated<T> {
  items: T[];
  page: number;
  pages: number;
  total: number;
}

export interface PnlPoint {
  n: number; // close number over the bot's whole life (the chart shows the last ones)
  position_id: number;
  closed_at: string;
  pnl_usd: Money; // shown: this close in whole cents, as its closed row shows it
  cumulative_usd: Money; // shown: the sum of the shown closes so far
}

export interface BudgetTrace {
  steps: string[];
}

export interface SyncChange {
  action: string;
  symbol: string;
  field?: string;
  before: string | null;
  after: string | null;
  detail?: string;
}

export interface SyncResult {
  applied: boolean;
  changes: SyncChange[];
  counts: Record<string, number>;
  message: string;
}

export interface IncidentOffer {
  kind: "paper_sync";
  bot_id: number;
}

export interface Incident {
  id: number;
  kind: string;
  kind_label: string;
  bot: { id: number; name: string } | null;
  /** Only the fields that are known (empty ones are left out). */
  facts: { label: string; value: string }[];
  /** What is known, in sentences. */
  details: string[];
  /** The repair the page itself offers, if any. */
  offer: IncidentOffer | null;
  status: "open" | "resolved";
  created_at: string;
  actions: { value: string; label: string; description: string }[];
  resolution: { label: string; reason: string; by: string | null; at: string | null } | null;
}

/** A secret shown once, in the answer that made it (frontend/components/secret-dialog.tsx). */
export interface SecretProp {
  title: string;
  description: string;
  items: { label: string; value: string }[];
  /** How Egis keeps it, when not as a hash (a webhook secret is kept encrypted). */
  note?: string;
}

export interface SignalOrder {
  client_order_id: string;
  intent: "open" | "close";
  status: string;
  position_id: number;
}

export interface SignalRow {
  id: number;
  received_at: string | null;
  processed_at: string | null;
  sender_id: string;
  /** What it asked ("open long $25.00", "close all"); "" only when its body could not be read. */
  action: string;
  status: "queued" | "executing" | "executed" | "rejected" | "failed" | "duplicate";
  /** In a trader's words ("Too old: sent 75 s ago; ..."); `code` is the machine's ("stale"). */
  reason: string;
  code: string;
  orders: SignalOrder[];
}

export interface SignalsCardProps {
  hook: {
    url: string;
    reach_note: string;
    // Requests to this hook refused for a wrong secret or signature (shown to its owner only).
    refused: { count: number; last_at: string | null; last_reason: string } | null;
    enabled: boolean;
    created_at: string | null;
  } | null;
  template: string;
  signals: SignalRow[];
  total: number;
}

export interface ExchangeAccountRow {
  id: number;
  label: string;
  venue_label: string;
  environment_label: string;
  api_key_masked: string;
  api_secret_masked: string;
  created_at: string;
}

export interface UserRow {
  id: number;
  username: string;
  role: "admin" | "user";
  is_active: boolean;
  is_self: boolean;
  bots: number;
  /** Failed logins of this account in the current window, from every address. */
  failed_logins: number;
  /** Whether some address may be locked out of this account: Unlock is offered only then. */
  locked: boolean;
}

/** One audited change (admins only): values are the field's text, money as a decimal string. */
export interface AuditEntry {
  id: number;
  actor: string;
  object_type: string;
  object_id: number;
  object_label: string;
  field: string;
  field_label: string;
  before: string;
  after: string;
  created_at: string;
}

// --- Cockpit (egis.portfolio): portfolio header, open lines, pause, close all, activity -------

/** One open position as a line on a bot card. */
export interface OpenLine {
  id: number;
  side: "long" | "short";
  symbol: string;
  qty: string;
  size_usd: Money; // shown: the whole cents it holds
  unrealized_pnl_usd: Money | null;
  unrealized_shown_usd: Money | null; // null: no price, or still opening
  opening: boolean;
}

export interface ClosedTotalsProps {
  closed_count: number;
  wins: number;
  win_rate_pct: string | null;
  fees_usd: Money;
  fees_exact_usd: Money;
  realized_pnl_usd: Money;
  realized_pnl_exact_usd: Money;
}

export interface PauseProps {
  paused: boolean;
  paused_at: string | null;
  paused_by: string;
  paused_reason: string;
}

export type CockpitBot = BotSummary &
  PauseProps & { open_lines: OpenLine[]; closed_totals: ClosedTotalsProps };

export interface FeedState {
  fresh: boolean;
  missing: string[];
  stale: { symbol: string; age_s: number }[];
}

export interface PortfolioProps {
  bots: number;
  initial_budget_usd: Money;
  reserved_usd: Money;
  available_usd: Money;
  realized_pnl_usd: Money;
  realized_pnl_exact_usd: Money;
  unrealized_pnl_usd: Money | null;
  unrealized_shown_usd: Money | null;
  fees_usd: Money;
  fees_exact_usd: Money;
  closed_count: number;
  wins: number;
  win_rate_pct: string | null;
  open_positions: number;
  paused: string[];
  feed: FeedState;
  all_fine: boolean;
  attention: string[];
  status_text: string;
}

export interface OwnerOption {
  id: number;
  username: string;
}

export interface PlannedClose {
  position_id: number;
  side: "long" | "short";
  symbol: string;
  qty: string;
  size_usd: Money;
  sendable: boolean;
  why_not: string;
  size_text: string; // the shown size (the rule of the position's card): "$29.66"
  qty_text: string; // "0.05 BNB"
  text: string; // what the close does, in words
}

export interface ActivityOrder {
  id: number;
  client_order_id: string;
  position_id: number;
  intent: "open" | "close";
  side: "buy" | "sell";
  symbol: string;
  status: string;
  requested_qty: string;
  requested_usd: Money | null;
  executed_qty: string;
  avg_price: string | null;
  cum_quote_usd: Money;
  fee_usd: Money;
  venue_order_id: string;
  error: string;
  created_at: string | null;
  /** The figures as shown, each with its unit at the symbol's precision (egis.core.figures):
   * "$25.00", "0.040 ETH", "$2,934.56". The page adds no unit and rounds nothing. */
  shown: {
    /** null when the fill is what was asked, in the same unit (a whole close). */
    requested: string | null;
    executed: string;
    price: string | null;
    value: string | null;
    fee: string | null;
  };
}

export interface ActivityEvent {
  id: number;
  position_id: number | null;
  order_id: number | null;
  action: string;
  words: string;
  reason: string;
  actor: string;
  created_at: string | null;
}
