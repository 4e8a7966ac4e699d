import { describe, expect, it } from "vitest";

// Every component's source text (Vite reads the files; nothing is rendered).
const sources = import.meta.glob(["../**/*.tsx", "../**/*.ts", "!./**"], {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

// A hex colour: "#abc", "#a1b2c3", "[#a1b2c3]"..., not a character reference ("&#8230;").
const HEX = /(?<![&\w])#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3,4})(?![\w-])/g;

describe("theme tokens", () => {
  it("reads the components", () => {
    expect(Object.keys(sources).length).toBeGreaterThan(20);
    expect(Object.keys(sources)).toContain("../components/ui/badge.tsx");
  });

  it("finds no hex colour outside app.css: colours are named tokens of its @theme", () => {
    const found = Object.entries(sources).flatMap(([file, text]) =>
      text
        .split("\n")
        .flatMap((line, i) => (line.match(HEX) ?? []).map((hex) => `${file}:${i + 1} ${hex}`)),
    );
    expect(found).toEqual([]);
  });

  it("would catch one", () => {
    expect('className="bg-[#2a1010]"'.match(HEX)).toEqual(["#2a1010"]);
    expect('stroke="#4f7ee6" fill="url(#pnlFill)" title="&#8230;"'.match(HEX)).toEqual(["#4f7ee6"]);
  });
});
