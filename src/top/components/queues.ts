/**
 * The queue table: one row per queue on screen with its depth as a stacked bar (running, pending,
 * scheduled, failed), the count in each state, the rates and the age of the oldest pending task.
 * The selected row carries a `›` marker (and inverse video where the terminal has it).
 */
import type { QueueStats } from '../../model/stats.ts';
import { age } from '../../cli/format.ts';
import { depth } from '../model.ts';
import type { QueueRates } from '../rates.ts';
import { ACCENT, STACKED, STATE_LOOK, WARN } from '../theme.ts';
import { cellWidth, compactNumber, fit, formatRate, stackCells, truncate } from '../text.ts';
import { type Seg, type Segs, seg } from './segs.ts';
import { type Column, tableLines } from './table.ts';

export interface QueueTableProps {
  queues: QueueStats[];
  rates: Map<string, QueueRates>;
  selected: string | null;
  width: number;
  /** Rows for queues (the header is one more line); the selected row is always shown. */
  height: number;
  /** Shown instead of rows when there are no queues. */
  empty: string;
}

const PAUSED = ' (paused)';

/** A stacked bar of a queue's depth, `width` cells, scaled to `max`. */
export function depthBar(states: Record<string, number>, max: number, width: number): Segs {
  const cells = stackCells(STACKED.map((state) => states[state] ?? 0), max, width);
  const out: Segs = [];
  STACKED.forEach((state, i) => {
    if (cells[i]! > 0) out.push(seg(STATE_LOOK[state].glyph.repeat(cells[i]!), { color: STATE_LOOK[state].color }));
  });
  const used = cells.reduce((sum, n) => sum + n, 0);
  if (used < width) out.push(' '.repeat(width - used));
  return out;
}

/** The legend of the depth bar's glyphs, in at most `width` cells (shorter names when tight). */
export function depthLegend(width: number): string {
  const long = STACKED.map((state) => `${STATE_LOOK[state].glyph}${STATE_LOOK[state].label}`).join(' ');
  if (cellWidth(`DEPTH ${long}`) <= width) return `DEPTH ${long}`;
  const short = STACKED.map((state) => `${STATE_LOOK[state].glyph}${STATE_LOOK[state].short}`).join(' ');
  return cellWidth(`DEPTH ${short}`) <= width ? `DEPTH ${short}` : 'DEPTH';
}

function countColumn(header: string, state: keyof QueueStats['states'], priority: number, look: Omit<Seg, 'text'> = {}): Column<QueueStats> {
  return {
    header,
    priority,
    align: 'right',
    width: 6,
    cell: (queue) => seg(compactNumber(queue.states[state]), queue.states[state] > 0 ? look : { dim: true }),
  };
}

function rateColumn(header: string, pick: 'submitted' | 'completed' | 'failed', priority: number, rates: Map<string, QueueRates>, look: Omit<Seg, 'text'> = {}): Column<QueueStats> {
  return {
    header,
    priority,
    align: 'right',
    width: 6,
    cell: (queue) => {
      const current = rates.get(queue.name)?.current ?? null;
      const value = current === null ? null : current[pick];
      return seg(formatRate(value), value ? look : { dim: true });
    },
  };
}

export function queueColumns(queues: QueueStats[], rates: Map<string, QueueRates>, selected: string | null): Column<QueueStats>[] {
  const maxDepth = Math.max(1, ...queues.map((queue) => depth(queue.states)));
  const nameWidth = Math.min(28, Math.max(8, ...queues.map((queue) => cellWidth(queue.name) + (queue.paused ? PAUSED.length : 0))));
  return [
    {
      header: 'QUEUE',
      priority: 0,
      width: nameWidth,
      cell: (queue, width) => {
        const chosen = queue.name === selected;
        const suffix = queue.paused ? (width >= cellWidth(queue.name) + PAUSED.length ? PAUSED : ' ‖') : '';
        const name = truncate(queue.name, width - suffix.length);
        const out: Segs = [seg(name, { bold: chosen, inverse: chosen })];
        if (suffix) out.push(seg(suffix, { color: WARN, bold: true }));
        out.push(' '.repeat(Math.max(0, width - cellWidth(name) - suffix.length)));
        return out;
      },
    },
    {
      header: 'DEPTH',
      priority: 9,
      width: 8,
      flex: { max: 48 },
      cell: (queue, width) => depthBar(queue.states, maxDepth, width),
    },
    countColumn('PEND', 'pending', 1, { color: STATE_LOOK.pending.color }),
    countColumn('RUN', 'running', 2, { color: STATE_LOOK.running.color }),
    countColumn('SCHED', 'scheduled', 10, { color: STATE_LOOK.scheduled.color }),
    countColumn('FAIL', 'failed', 3, { color: STATE_LOOK.failed.color }),
    countColumn('DEAD', 'dead', 4, { color: STATE_LOOK.dead.color, bold: true }),
    countColumn('DONE', 'succeeded', 12),
    rateColumn('IN/s', 'submitted', 5, rates),
    rateColumn('DONE/s', 'completed', 6, rates),
    rateColumn('FAIL/s', 'failed', 7, rates, { color: STATE_LOOK.failed.color }),
    {
      header: 'OLDEST',
      priority: 11,
      align: 'right',
      width: 6,
      cell: (queue) => seg(queue.oldestPendingAgeMs === null ? '-' : age(queue.oldestPendingAgeMs), queue.oldestPendingAgeMs === null ? { dim: true } : {}),
    },
  ];
}

/** The rows to show when only `height` fit: a window that keeps the selected queue in view. */
export function windowRows<T>(rows: T[], selectedIndex: number, height: number): { rows: T[]; above: number; below: number } {
  if (rows.length <= height) return { rows, above: 0, below: 0 };
  const size = Math.max(1, height);
  const start = Math.max(0, Math.min(rows.length - size, selectedIndex - Math.floor(size / 2)));
  return { rows: rows.slice(start, start + size), above: start, below: rows.length - start - size };
}

export function queueTableLines(props: QueueTableProps): Segs[] {
  const { queues, rates, selected, width } = props;
  const columns = queueColumns(queues, rates, selected);
  const selectedIndex = Math.max(0, queues.findIndex((queue) => queue.name === selected));
  // One row may go to "N more" when the queues do not all fit.
  const fits = queues.length <= props.height;
  const shown = windowRows(queues, selectedIndex, fits ? props.height : Math.max(1, props.height - 1));
  const table = tableLines(columns, shown.rows, width, {
    prefixWidth: 2,
    prefix: (queue) => (queue !== null && queue.name === selected ? [seg('› ', { color: ACCENT, bold: true })] : ['  ']),
  });
  // The depth header names the glyphs when the bar column is wide enough.
  const header = table.header.map((part) => (typeof part !== 'string' && part.text.startsWith('DEPTH') ? { ...part, text: fit(depthLegend(part.text.length), part.text.length) } : part));
  const lines: Segs[] = [header];
  if (queues.length === 0) lines.push([seg(`  ${props.empty}`, { dim: true })]);
  lines.push(...table.rows);
  if (!fits) lines.push([seg(`  ↑ ${shown.above} more  ↓ ${shown.below} more`, { dim: true })]);
  return lines;
}
