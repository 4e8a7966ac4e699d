#!/usr/bin/env node
// The JavaScript each page loads, gzipped, read from Vite's manifest after `vite build`: the
// entry (frontend/app.tsx) and its static imports, plus the page's chunk and everything it
// imports, statically or lazily (a lazy chunk still loads on that page). Printed by
// `npm run build`; `--json` prints the figures for tests/test_bundle_budget.py, which fails
// when a page is over its budget below.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

export const BUDGETS_KB = { "bots/show": 150, "bots/index": 150 };

const root = path.resolve(import.meta.dirname, "..");
const outDir = path.join(root, "egis/static/build");
const manifestPath = path.join(outDir, ".vite/manifest.json");
if (!fs.existsSync(manifestPath)) {
  console.error(`no build at ${manifestPath}: run \`npm run build\` first`);
  process.exit(2);
}
const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
const ENTRY = "frontend/app.tsx";

function closure(key, seen, { lazy }) {
  const chunk = manifest[key];
  if (!chunk || seen.has(chunk.file)) return seen;
  seen.add(chunk.file);
  for (const next of chunk.imports ?? []) closure(next, seen, { lazy });
  if (lazy) for (const next of chunk.dynamicImports ?? []) {
    // The entry lazily imports every page; only the page's own lazy chunks count.
    if (!next.startsWith("frontend/pages/")) closure(next, seen, { lazy });
  }
  return seen;
}

const gzipKb = (file) =>
  zlib.gzipSync(fs.readFileSync(path.join(outDir, file)), { level: 9 }).length / 1024;

const shell = closure(ENTRY, new Set(), { lazy: false });
const pages = Object.keys(manifest)
  .filter((key) => key.startsWith("frontend/pages/") && key.endsWith(".tsx"))
  .map((key) => {
    const name = key.slice("frontend/pages/".length, -".tsx".length);
    const files = closure(key, new Set(shell), { lazy: true });
    const kb = [...files].filter((f) => f.endsWith(".js")).reduce((sum, f) => sum + gzipKb(f), 0);
    return { page: name, gzip_kb: Math.round(kb * 10) / 10, budget_kb: BUDGETS_KB[name] ?? null };
  })
  .sort((a, b) => b.gzip_kb - a.gzip_kb);

if (process.argv.includes("--json")) {
  console.log(JSON.stringify({ pages }, null, 2));
} else {
  console.log("\nJavaScript per page (gzip -9, shell + page + its imports):");
  for (const p of pages) {
    const over = p.budget_kb != null && p.gzip_kb > p.budget_kb;
    const budget = p.budget_kb != null ? `budget ${p.budget_kb} kB${over ? "  OVER BUDGET" : ""}` : "";
    console.log(`  ${p.page.padEnd(18)} ${p.gzip_kb.toFixed(1).padStart(7)} kB  ${budget}`);
  }
}
