/**
 * The workers: name, host, slots used of total (a bar and the numbers), the age of the last
 * heartbeat, CPU (share of one core) and memory. Disconnected workers the broker still remembers
 * are marked `gone`.
 */
import type { WorkerInfo } from '../../protocol/messages.ts';
import { formatBytes, relativeTime } from '../../cli/format.ts';
import { ERROR, STATE_LOOK } from '../theme.ts';
import { bar, clean, fit } from '../text.ts';
import { type Segs, seg } from './segs.ts';
import { type Column, tableLines } from './table.ts';

export interface WorkersProps {
  workers: WorkerInfo[];
  width: number;
  /** Lines available, the header included. */
  height: number;
  now: number;
}

function busyCell(worker: WorkerInfo, width: number): Segs {
  const numbers = `${worker.running}/${worker.concurrency}`;
  const barWidth = Math.min(10, width - numbers.length - 1);
  if (barWidth < 3) return [seg(fit(numbers, width, 'right'))];
  const filled = bar(worker.running, Math.max(1, worker.concurrency), barWidth);
  return [
    seg(fit(filled, barWidth), { color: STATE_LOOK.running.color }),
    ' ',
    seg(fit(numbers, width - barWidth - 1, 'right'), worker.running > 0 ? { bold: true } : { dim: true }),
  ];
}

export function workerColumns(workers: WorkerInfo[], now: number): Column<WorkerInfo>[] {
  const longest = (pick: (worker: WorkerInfo) => string) => Math.max(0, ...workers.map((worker) => clean(pick(worker)).length));
  return [
    { header: 'WORKER', priority: 0, width: Math.min(28, Math.max(8, longest((w) => w.name))), cell: (worker) => clean(worker.name) },
    { header: 'HOST', priority: 5, width: Math.min(24, Math.max(6, longest((w) => w.host))), cell: (worker) => clean(worker.host) },
    { header: 'SLOTS USED', priority: 1, width: 16, cell: busyCell },
    {
      header: 'HEARTBEAT',
      priority: 2,
      width: 9,
      align: 'right',
      cell: (worker) => (worker.connected ? seg(relativeTime(worker.lastHeartbeatAt, now)) : seg('gone', { color: ERROR, bold: true })),
    },
    { header: 'CPU', priority: 3, width: 5, align: 'right', cell: (worker) => (worker.cpu === null ? '-' : `${Math.round(worker.cpu * 100)}%`) },
    { header: 'MEM', priority: 4, width: 8, align: 'right', cell: (worker) => formatBytes(worker.memoryBytes) },
    { header: 'QUEUES', priority: 6, width: 12, flex: { max: 80 }, cell: (worker) => (worker.queues.length > 0 ? worker.queues.join(',') : '*'), style: () => ({ dim: true }) },
  ];
}

/** A one-line summary for the header: `2 workers · 3/8 slots busy`. */
export function workerSummary(workers: WorkerInfo[]): string {
  const connected = workers.filter((worker) => worker.connected);
  const slots = connected.reduce((sum, worker) => sum + worker.concurrency, 0);
  const used = connected.reduce((sum, worker) => sum + worker.running, 0);
  return `${connected.length} worker${connected.length === 1 ? '' : 's'} · ${used}/${slots} slots busy`;
}

/** The column header (which heads the section) and one line per worker, in `height` lines. */
export function workerLines(props: WorkersProps): Segs[] {
  const { workers, width, height, now } = props;
  if (height <= 0) return [];
  if (workers.length === 0) return [[seg('  WORKERS', { bold: true }), seg('  none connected: start one with `tq worker start`', { dim: true })]];
  // Busiest first, then by name: the ones doing the work stay in view.
  const sorted = [...workers].sort((a, b) => Number(b.connected) - Number(a.connected) || b.running - a.running || a.name.localeCompare(b.name));
  const table = tableLines(workerColumns(sorted, now), sorted, width, { prefix: () => ['  '], prefixWidth: 2 });
  const room = height - 1;
  if (sorted.length <= room) return [table.header, ...table.rows];
  const shown = Math.max(0, room - 1);
  return [table.header, ...table.rows.slice(0, shown), [seg(`  … ${sorted.length - shown} more`, { dim: true })]].slice(0, height);
}
