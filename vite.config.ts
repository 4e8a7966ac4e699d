import path from "node:path";

import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Built into egis/static/build/ (git-ignored); django-vite reads .vite/manifest.json there.
export default defineConfig({
  base: "/static/build/",
  plugins: [react(), tailwindcss()],
  resolve: {
    alias: { "@": path.resolve(import.meta.dirname, "frontend") },
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
});
