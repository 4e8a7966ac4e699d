import path from "node:path";

import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The production build runs on Preact's React compatibility layer instead of react-dom: about
// 55 kB gzip less on every page (the bot page's JavaScript budget is 150 kB gzip, checked by
// scripts/bundle-size.mjs and tests/test_bundle_budget.py). The dev server and the unit tests
// keep React itself (fast refresh, @testing-library/react); the browser tests run the build.
const PREACT = [
  { find: /^react$/, replacement: "preact/compat" },
  { find: /^react-dom$/, replacement: "preact/compat" },
  { find: /^react-dom\/client$/, replacement: "preact/compat/client" },
  { find: /^react\/jsx-runtime$/, replacement: "preact/compat/jsx-runtime" },
  { find: /^react\/jsx-dev-runtime$/, replacement: "preact/compat/jsx-dev-runtime" },
];

// Built into egis/static/build/ (git-ignored); django-vite reads .vite/manifest.json there.
export default defineConfig(({ command }) => ({
  base: "/static/build/",
  plugins: [react(), tailwindcss()],
  resolve: {
    alias: [
      { find: "@", replacement: path.resolve(import.meta.dirname, "frontend") },
      ...(command === "build" && !process.env.VITEST ? PREACT : []),
    ],
  },
  build: {
    outDir: path.resolve(import.meta.dirname, "egis/static/build"),
    emptyOutDir: true,
    manifest: true,
    rollupOptions: { input: path.resolve(import.meta.dirname, "frontend/app.tsx") },
  },
  server: { port: 5173, strictPort: true, origin: "http://127.0.0.1:5173" },
  test: {
    environment: "jsdom",
    include: ["frontend/tests/**/*.test.{ts,tsx}"],
  },
}));
