import "./app.css";

import { createInertiaApp } from "@inertiajs/react";
import type { ComponentType } from "react";
import { createRoot } from "react-dom/client";

// Pages live in frontend/pages/ (tests live in frontend/tests/, so none is bundled).
const pages = import.meta.glob<{ default: ComponentType }>("./pages/**/*.tsx");

createInertiaApp({
  resolve: async (name) => {
    const loader = pages[`./pages/${name}.tsx`];
    if (!loader) throw new Error(`Unknown page: ${name}`);
    return (await loader()).default;
  },
  // Django's CSRF cookie and header names.
  http: { xsrfCookieName: "csrftoken", xsrfHeaderName: "X-CSRFToken" },
  progress: { color: "var(--color-accent-hover)" },
  setup({ el, App, props }) {
    if (el) createRoot(el).render(<App {...props} />);
  },
});
