// Y-axis ticks for a USD chart: whole cents at a round step, so no two ticks print the same
// label (an automatic axis puts -0.015 and -0.02 side by side, both shown as -$0.02).
const STEPS_CENTS = [1, 2, 5, 10, 20, 25, 50];

function niceStep(rawCents: number): number {
  for (let scale = 1; ; scale *= 100) {
    for (const s of STEPS_CENTS) if (s * scale >= rawCents) return s * scale;
  }
}

/** At most about `count` + 1 ticks in dollars, each a whole number of cents, spanning `values`. */
export function centTicks(values: number[], count = 4): number[] {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return [0];
  let lo = Math.floor(Math.min(...finite) * 100);
  let hi = Math.ceil(Math.max(...finite) * 100);
  if (hi === lo) hi = lo + 1;
  const step = niceStep((hi - lo) / count);
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let c = lo; c <= hi; c += step) ticks.push(c / 100);
  return ticks;
}
