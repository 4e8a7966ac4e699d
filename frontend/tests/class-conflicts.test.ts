import { describe, expect, it } from "vitest";

import { badgeVariants } from "@/components/ui/badge";
import { buttonVariants } from "@/components/ui/button";

// `cn` joins classes without tailwind-merge, so a primitive's variants must never carry two
// classes of one family (two paddings on one axis, two font sizes...): CSS order, not the
// author, would pick the winner.
const SIZES = new Set(["xs", "sm", "base", "lg", "xl", "2xl"]);
const WEIGHTS = new Set(["normal", "medium", "semibold", "bold"]);

function family(cls: string): string | null {
  const colon = cls.lastIndexOf(":");
  const variant = colon >= 0 ? cls.slice(0, colon + 1) : "";
  const base = cls.slice(colon + 1);
  const dash = base.indexOf("-");
  if (dash < 0) return null;
  const head = base.slice(0, dash);
  const rest = base.slice(dash + 1);
  if (head === "text") return variant + (SIZES.has(rest) ? "text-size" : "text-colour");
  if (head === "font") return WEIGHTS.has(rest) ? variant + "font-weight" : null;
  if (head === "p") return variant + "px|py";
  if (head === "px" || head === "py") return variant + head;
  if (head === "min" || head === "max") return variant + base.split("-").slice(0, 2).join("-");
  if (["bg", "w", "h", "size", "rounded", "gap"].includes(head)) return variant + head;
  return null;
}

export function conflicts(classes: string): string[] {
  const seen = new Map<string, string>();
  const found: string[] = [];
  for (const cls of classes.split(/\s+/).filter(Boolean)) {
    for (const key of (family(cls) ?? "").split("|").filter(Boolean)) {
      const prior = seen.get(key);
      if (prior && prior !== cls) found.push(`${prior} / ${cls}`);
      seen.set(key, cls);
    }
  }
  return found;
}

describe("class conflicts in the primitives", () => {
  it("finds a conflict when there is one", () => {
    expect(conflicts("px-4 text-sm px-3")).toEqual(["px-4 / px-3"]);
    expect(conflicts("p-5 px-2")).toEqual(["p-5 / px-2"]);
    expect(conflicts("text-sm text-muted hover:text-fg")).toEqual([]);
  });

  it("has none in any button", () => {
    for (const variant of ["primary", "secondary", "ghost", "danger", "danger-outline"] as const) {
      for (const size of ["md", "sm", "icon", "block"] as const) {
        expect(conflicts(buttonVariants({ variant, size })), `${variant} ${size}`).toEqual([]);
      }
    }
  });

  it("has none in any badge", () => {
    for (const tone of ["neutral", "accent", "warn", "danger", "gain"] as const) {
      expect(conflicts(badgeVariants({ tone }))).toEqual([]);
    }
  });
});
