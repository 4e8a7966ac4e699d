import { Link } from "@inertiajs/react";
import { logOut } from "@/lib/log-out";
import { Bot, History, LogOut, Settings, ShieldAlert, Users } from "lucide-react";
import * as React from "react";

import { FlashMessages } from "@/components/flash-messages";
import { useShared } from "@/hooks/use-shared";
import { cn } from "@/lib/utils";

type Section = "bots" | "incidents" | "settings" | "users" | "audit";

interface NavItem {
  key: Section;
  label: string;
  href: string;
  icon: React.ComponentType<{ className?: string }>;
  badge?: number;
}

function useNav(): NavItem[] {
  const { auth, nav } = useShared();
  const items: NavItem[] = [{ key: "bots", label: "Bots", href: "/", icon: Bot }];
  if (auth.user?.is_admin) {
    items.push({
      key: "incidents",
      label: "Incidents",
      href: "/incidents",
      icon: ShieldAlert,
      badge: nav.open_incidents,
    });
  }
  items.push({ key: "settings", label: "Settings", href: "/settings", icon: Settings });
  if (auth.user?.is_admin) {
    items.push({ key: "users", label: "Users", href: "/users", icon: Users });
    items.push({ key: "audit", label: "Audit", href: "/audit", icon: History });
  }
  return items;
}

function CountBadge({ count }: { count?: number }) {
  if (!count) return null;
  return (
    <span
      className="num min-w-5 rounded-full bg-warn px-1.5 text-center text-[11px] leading-5 font-bold text-black"
      aria-label={`${count} open`}
    >
      {count}
    </span>
  );
}

export function AppLayout({
  title,
  section,
  action,
  back,
  wide = false,
  children,
}: {
  title: string;
  section: Section;
  action?: React.ReactNode;
  back?: { href: string; label: string };
  /** Use a desktop's room (two columns or a grid) instead of one centred column. */
  wide?: boolean;
  children: React.ReactNode;
}) {
  const width = wide ? "max-w-3xl lg:max-w-6xl" : "max-w-3xl";
  const { auth, flash } = useShared();
  const items = useNav();
  // The phone tab bar keeps three destinations; Users and Audit live under Settings there.
  const tabs = items.filter((i) => i.key !== "users" && i.key !== "audit");
  return (
    <div className="min-h-dvh lg:flex">
      <aside className="hidden lg:fixed lg:inset-y-0 lg:flex lg:w-60 lg:flex-col lg:border-r lg:border-border lg:bg-surface">
        <div className="flex h-16 items-center gap-2 px-5 text-lg font-semibold tracking-tight">
          <span className="inline-block size-2.5 rounded-full bg-accent" aria-hidden />
          Egis
        </div>
        <nav aria-label="Main" className="flex-1 space-y-1 px-3">
          {items.map((item) => (
            <Link
              key={item.key}
              href={item.href}
              className={cn(
                "flex min-h-11 items-center gap-3 rounded-lg px-3 text-sm font-medium",
                item.key === section
                  ? "bg-surface-2 text-fg"
                  : "text-muted hover:bg-surface-2 hover:text-fg",
              )}
              aria-current={item.key === section ? "page" : undefined}
            >
              <item.icon className="size-5" aria-hidden />
              <span className="flex-1">{item.label}</span>
              <CountBadge count={item.badge} />
            </Link>
          ))}
        </nav>
        <div className="border-t border-border p-3">
          <div className="px-3 pb-2 text-xs text-muted">
            Signed in as <span className="text-fg">{auth.user?.username}</span>
            {auth.user?.is_admin && " (admin)"}
          </div>
          <button
            type="button"
            onClick={logOut}
            className="flex min-h-11 w-full items-center gap-3 rounded-lg px-3 text-sm text-muted hover:bg-surface-2 hover:text-fg"
          >
            <LogOut className="size-5" aria-hidden /> Log out
          </button>
        </div>
      </aside>

      <div className="min-w-0 flex-1 lg:pl-60">
        <header className="sticky top-0 z-30 border-b border-border bg-bg/95 backdrop-blur">
          <div className={cn("mx-auto flex h-14 items-center gap-2 px-4 lg:h-16 lg:px-8", width)}>
            {back && (
              <Link
                href={back.href}
                className="-ml-2 inline-flex min-h-11 items-center rounded-lg px-2 text-sm text-muted hover:text-fg"
              >
                ‹ {back.label}
              </Link>
            )}
            <h1 className="min-w-0 flex-1 truncate text-lg font-semibold" title={title}>
              {title}
            </h1>
            {action}
          </div>
        </header>
        {/* Bottom room for the tab bar, and for the toasts while they show (flash-messages). */}
        <main
          className={cn(
            "mx-auto space-y-4 px-4 pt-4 pb-[calc(7rem+var(--toast-room,0px))] lg:px-8 lg:pb-[calc(3rem+var(--toast-room,0px))]",
            width,
          )}
        >
          {children}
        </main>
        <FlashMessages messages={flash} />
      </div>

      <nav
        aria-label="Tabs"
        className="fixed inset-x-0 bottom-0 z-30 border-t border-border bg-surface pb-[env(safe-area-inset-bottom)] lg:hidden"
      >
        <ul
          className="grid"
          style={{ gridTemplateColumns: `repeat(${tabs.length}, minmax(0, 1fr))` }}
        >
          {tabs.map((item) => {
            // Users sits under Settings on a phone, so its pages light the Settings tab.
            const current =
              item.key === section ||
              (item.key === "settings" && (section === "users" || section === "audit"));
            return (
              <li key={item.key}>
                <Link
                  href={item.href}
                  className={cn(
                    "relative flex min-h-14 flex-col items-center justify-center gap-0.5 text-xs",
                    current ? "font-semibold text-fg" : "font-medium text-muted",
                  )}
                  aria-current={current ? "page" : undefined}
                >
                  {current && (
                    <span
                      className="absolute top-0 left-1/2 h-0.5 w-10 -translate-x-1/2 rounded-full bg-accent"
                      aria-hidden
                    />
                  )}
                  <span className="relative">
                    <item.icon className="size-5" aria-hidden />
                    {item.badge ? (
                      <span className="absolute -top-1.5 -right-3">
                        <CountBadge count={item.badge} />
                      </span>
                    ) : null}
                  </span>
                  {item.label}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
    </div>
  );
}
