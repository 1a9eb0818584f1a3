/**
 * Text for a fixed-width screen: display widths, fitting to a width, compact numbers and rates,
 * and the block-character bars and sparklines `tq top` draws. Pure functions of their arguments.
 */

/** Characters that take two cells in a terminal (East Asian wide and fullwidth, emoji). */
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
/** Combining marks and zero-width characters take no cell. */
const ZERO = /[\u0300-\u036f\u200b-\u200f\u20d0-\u20ff\ufe00-\ufe0f]/u;

function charWidth(char: string): number {
  if (ZERO.test(char)) return 0;
  return WIDE.test(char) ? 2 : 1;
}

/** How many terminal cells `text` takes (no escape sequences expected: see `clean`). */
export function cellWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}

/**
 * Text from outside (errors, worker and host names) made safe for one screen line: control
 * characters (newlines, escape sequences that would move the cursor or change colours) become
 * spaces, runs of white space one space.
 */
export function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/** `text` cut to at most `width` cells, ending in `…` when cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (cellWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const char of text) {
    const w = charWidth(char);
    if (used + w > width - 1) break;
    out += char;
    used += w;
  }
  return `${out}…`;
}

/** `text` fitted to exactly `width` cells: cut with `…`, or padded on the right (or left). */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = truncate(text, width);
  const pad = ' '.repeat(Math.max(0, width - cellWidth(cut)));
  return align === 'left' ? cut + pad : pad + cut;
}

/** A count in at most 6 cells: 1234, 12.3k, 123k, 1.2M. */
export function compactNumber(n: number): string {
  if (n < 10_000) return String(n);
  if (n < 100_000) return `${(n / 1_000).toFixed(1)}k`;
  if (n < 1_000_000) return `${Math.round(n / 1_000)}k`;
  if (n < 10_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  return `${Math.round(n / 1_000_000)}M`;
}

/** A per-second rate: `-` when not known yet, `0`, `0.4`, `12`, `1.2k`. */
export function formatRate(perSecond: number | null): string {
  if (perSecond === null) return '-';
  if (perSecond === 0) return '0';
  if (perSecond < 0.05) return '<0.1';
  if (perSecond < 10) return perSecond.toFixed(1);
  return compactNumber(Math.round(perSecond));
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/**
 * A horizontal bar of `value` out of `max` in `width` cells, with eighth-cell precision. A value
 * above zero always shows at least a sliver, so "some" never looks like "none".
 */
export function bar(value: number, max: number, width: number): string {
  if (width <= 0 || max <= 0 || value <= 0) return '';
  const eighths = Math.max(1, Math.round((Math.min(value, max) / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

/**
 * Cells for parts stacked in one bar of `width` cells scaled to `max`: the bar's length is the
 * parts' sum over `max`, shared by largest remainder, and every non-zero part gets a cell when
 * the bar has room for it.
 */
export function stackCells(values: number[], max: number, width: number): number[] {
  const total = values.reduce((sum, value) => sum + Math.max(0, value), 0);
  if (width <= 0 || max <= 0 || total <= 0) return values.map(() => 0);
  const length = Math.max(1, Math.round((Math.min(total, max) / max) * width));
  const exact = values.map((value) => (Math.max(0, value) / total) * length);
  const cells = exact.map(Math.floor);
  let left = length - cells.reduce((sum, n) => sum + n, 0);
  const order = exact.map((value, i) => ({ i, rest: value - Math.floor(value) })).sort((a, b) => b.rest - a.rest);
  for (const { i } of order) {
    if (left <= 0) break;
    cells[i]!++;
    left--;
  }
  // A part that rounded to nothing borrows a cell from the biggest part, if that can spare one.
  for (let i = 0; i < values.length; i++) {
    if (values[i]! > 0 && cells[i] === 0) {
      const biggest = cells.indexOf(Math.max(...cells));
      if (cells[biggest]! > 1) {
        cells[biggest]!--;
        cells[i] = 1;
      }
    }
  }
  return cells;
}

const SPARKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/**
 * A sparkline of `values` (oldest first) in at most `width` cells, scaled to their maximum: zero
 * is the lowest block, anything above zero at least the second. More values than cells are
 * averaged in consecutive groups, so the whole series always fits.
 */
export function sparkline(values: number[], width: number): string {
  if (width <= 0 || values.length === 0) return '';
  const groups = Math.min(width, values.length);
  const size = values.length / groups;
  const points: number[] = [];
  for (let g = 0; g < groups; g++) {
    const slice = values.slice(Math.floor(g * size), Math.floor((g + 1) * size));
    points.push(slice.reduce((sum, value) => sum + value, 0) / Math.max(1, slice.length));
  }
  const max = Math.max(...points);
  return points
    .map((value) => (max <= 0 || value <= 0 ? SPARKS[0] : SPARKS[Math.max(1, Math.ceil((value / max) * (SPARKS.length - 1)))]))
    .join('');
}
