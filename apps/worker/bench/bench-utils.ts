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
