import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The p-th percentile (nearest rank) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}

/** Writes `bench/results/<name>.json` (kept in the repo as the latest figures) and prints it. */
export function reportResult(name: string, result: Record<string, unknown>): void {
  const full = { ...result, node: process.version, at: new Date().toISOString() };
  const out = path.resolve(import.meta.dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, `${name}.json`), `${JSON.stringify(full, null, 2)}\n`);
  console.log(JSON.stringify(full, null, 2));
}

/**
 * A 95% interval for percentile(a, p) / percentile(b, p), by bootstrap: both samples are
 * resampled with replacement `resamples` times (a fixed seed, so a run's figures can be
 * checked again from its samples).
 */
export function ratioInterval95(
  a: readonly number[],
  b: readonly number[],
  p = 50,
  resamples = 2000,
): [number, number] {
  let seed = 0x9e3779b9;
  // mulberry32
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const resample = (values: readonly number[]) =>
    values.map(() => values[Math.floor(random() * values.length)]!);
  const ratios = Array.from(
    { length: resamples },
    () => percentile(resample(a), p) / percentile(resample(b), p),
  );
  return [percentile(ratios, 2.5), percentile(ratios, 97.5)];
}
