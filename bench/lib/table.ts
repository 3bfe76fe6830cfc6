/** Markdown output for benches: a table printer and the few number formats they share. */

export type Cell = string | number;

export function markdownTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const line = (cells: readonly Cell[]): string => `| ${cells.map(String).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Milliseconds with `digits` decimals; '—' for NaN. */
export function ms(value: number, digits = 3): string {
  return Number.isNaN(value) ? '—' : value.toFixed(digits);
}

/** Microseconds from milliseconds. */
export function us(valueMs: number, digits = 0): string {
  return Number.isNaN(valueMs) ? '—' : (valueMs * 1000).toFixed(digits);
}

/** A signed percentage of a fraction: 0.073 -> '+7.300 %'. */
export function signedPct(fraction: number, digits = 3): string {
  if (Number.isNaN(fraction)) return '—';
  return `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(digits)} %`;
}

/** A fraction as a percentage: 0.042 -> '4.2 %'. */
export function pct(fraction: number, digits = 1): string {
  return Number.isNaN(fraction) ? '—' : `${(fraction * 100).toFixed(digits)} %`;
}

/** `value / reference` as '1.23x'; '—' when undefined. */
export function ratio(value: number, reference: number, digits = 2): string {
  const r = value / reference;
  return Number.isFinite(r) ? `${r.toFixed(digits)}x` : '—';
}
