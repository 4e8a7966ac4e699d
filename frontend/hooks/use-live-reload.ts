import { router, usePoll } from "@inertiajs/react";
import * as React from "react";

/** Props rendered once per full visit: the open form's key, a just-created secret, and the
 * shared flash, errors and user. A refresh leaves them out (egis/web/live.py). */
export const RENDER_ONCE_PROPS = ["open_form_key", "secret", "flash", "errors", "auth"];

// A refresh that fails (a 5xx, the database busy, the network down) keeps the page as it is
// instead of replacing it with an error page or dialog: the prices' age then runs on until
// they show as stale, which says what happened. The next refresh tries again.
const QUIET = {
  showProgress: false,
  preserveErrors: true,
  onHttpException: () => false,
  onNetworkError: () => false,
};

/**
 * Keep the page's props fresh with Inertia partial reloads every `refreshSeconds`, each one
 * started after the previous answer ("rest" mode, so a slow server never stacks requests).
 * A hidden tab stops asking; it refreshes at once when it is shown again.
 */
export function useLiveReload(refreshSeconds: number, except: string[] = RENDER_ONCE_PROPS) {
  const key = except.join(",");
  const options = React.useMemo(() => ({ ...QUIET, except: key.split(",") }), [key]);
  const { start, stop } = usePoll(Math.max(1, refreshSeconds) * 1000, () => options, {
    autoStart: false,
    mode: "rest",
  });
  React.useEffect(() => {
    let wasHidden = document.hidden;
    const follow = () => {
      if (document.hidden) {
        stop();
      } else {
        if (wasHidden) router.reload(options);
        start();
      }
      wasHidden = document.hidden;
    };
    follow();
    document.addEventListener("visibilitychange", follow);
    return () => {
      document.removeEventListener("visibilitychange", follow);
      stop();
    };
  }, [start, stop, options]);
}

/** Whole seconds since `key` last changed (a new answer from the server), ticking each second. */
export function useSecondsSince(key: unknown): number {
  const [state, setState] = React.useState({ key, seconds: 0 });
  React.useEffect(() => {
    const started = Date.now();
    const id = window.setInterval(
      () => setState({ key, seconds: Math.floor((Date.now() - started) / 1000) }),
      1000,
    );
    return () => window.clearInterval(id);
  }, [key]);
  return state.key === key ? state.seconds : 0;
}

/** Reload `only` these props when `value` changes: for props too big to send on every refresh
 * that change only with something the refresh does carry (the PnL curve with the closes). */
export function useReloadOnChange(value: string, only: string[]) {
  const seen = React.useRef(value);
  const key = only.join(",");
  React.useEffect(() => {
    if (seen.current === value) return;
    seen.current = value;
    router.reload({ ...QUIET, only: key.split(",") });
  }, [value, key]);
}
