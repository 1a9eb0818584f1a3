/**
 * The latest failures, newest first: failed tasks (an attempt failed, a retry will come) and dead
 * ones (out of retries, in the dead-letter queue), with the queue, type, attempts and the error.
 */
import type { WireTask } from '../../protocol/messages.ts';
import { relativeTime } from '../../cli/format.ts';
import { failedAt } from '../model.ts';
import { STATE_LOOK } from '../theme.ts';
import { clean } from '../text.ts';
import { type Segs, seg } from './segs.ts';
import { type Column, tableLines } from './table.ts';

export interface FailuresProps {
  failures: WireTask[];
  width: number;
  /** Lines available, the header included. */
  height: number;
  now: number;
}

export function failureColumns(failures: WireTask[], now: number): Column<WireTask>[] {
  const longest = (pick: (task: WireTask) => string, min: number, max: number) => Math.min(max, Math.max(min, ...failures.map((task) => pick(task).length)));
  return [
    { header: 'FAILED', priority: 0, width: 9, align: 'right', cell: (task) => relativeTime(failedAt(task), now) },
    { header: 'QUEUE', priority: 2, width: longest((task) => task.queue, 5, 16), cell: (task) => task.queue },
    { header: 'TYPE', priority: 4, width: longest((task) => task.type, 4, 16), cell: (task) => task.type },
    {
      header: 'STATE',
      priority: 1,
      width: 8,
      cell: (task) => {
        const look = STATE_LOOK[task.state];
        return seg(`${look.glyph} ${task.state === 'failed' ? 'retry' : look.label}`, { color: look.color, bold: task.state === 'dead' });
      },
    },
    { header: 'ATT', priority: 5, width: 5, align: 'right', cell: (task) => `${task.attempts}/${task.maxRetries + 1}` },
    { header: 'ERROR', priority: 3, width: 10, flex: { max: 10_000 }, cell: (task) => clean(task.lastError ?? '-') },
  ];
}

/** The column header (which heads the section) and the latest failures, in `height` lines. */
export function failureLines(props: FailuresProps): Segs[] {
  const { failures, width, height, now } = props;
  if (height <= 0) return [];
  if (failures.length === 0) return [[seg('  FAILURES', { bold: true }), seg('  none failed or dead', { dim: true })]];
  const shown = failures.slice(0, height - 1);
  const table = tableLines(failureColumns(shown, now), shown, width, { prefix: () => ['  '], prefixWidth: 2 });
  return [table.header, ...table.rows];
}
