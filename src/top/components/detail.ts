/**
 * The selected queue in detail: its depth by state and by priority as bars with numbers, and the
 * submitted, completed and failed rates with a sparkline of the last minute. Two columns side by
 * side when the screen is wide enough, else one under the other (rates first).
 */
import type { QueueStats } from '../../model/stats.ts';
import { PRIORITY_NAMES, type TaskState } from '../../model/task.ts';
import { age } from '../../cli/format.ts';
import { depth, DEPTH_STATES } from '../model.ts';
import type { QueueRates } from '../rates.ts';
import { ACCENT, STATE_LOOK, WARN } from '../theme.ts';
import { bar, compactNumber, fit, formatRate, sparkline } from '../text.ts';
import { type Segs, seg, segsWidth } from './segs.ts';
import { depthBar } from './queues.ts';

/** Below this width the two columns go one under the other; from the other, states, priorities and rates get a column each. */
export const TWO_COLUMNS_MIN = 72;
export const THREE_COLUMNS_MIN = 150;

/** States drawn as bars, in order; `waiting` only when a task waits. */
const BAR_STATES: TaskState[] = ['scheduled', 'pending', 'running', 'failed', 'dead'];

export interface DetailProps {
  queue: QueueStats;
  rates: QueueRates | undefined;
  width: number;
  /** Lines available, the title included. */
  height: number;
  /** Draw the last minute's sparklines (not in a one-off snapshot). */
  sparklines?: boolean;
}

function priorityName(priority: number): string {
  const name = Object.entries(PRIORITY_NAMES).find(([, value]) => value === priority)?.[0];
  return name ? `${priority} ${name}` : String(priority);
}

export function stateLines(queue: QueueStats, width: number): Segs[] {
  const states = queue.states.waiting > 0 ? (['waiting', ...BAR_STATES] as TaskState[]) : BAR_STATES;
  const max = Math.max(1, ...states.map((state) => queue.states[state]));
  const barWidth = Math.max(1, width - 10 - 1 - 6);
  const lines: Segs[] = states.map((state) => {
    const look = STATE_LOOK[state];
    const count = queue.states[state];
    return [
      seg(fit(look.label, 10), count > 0 ? {} : { dim: true }),
      seg(fit(bar(count, max, barWidth), barWidth), { color: look.color }),
      ' ',
      seg(fit(compactNumber(count), 6, 'right'), count > 0 ? { color: look.color, bold: state === 'dead' } : { dim: true }),
    ];
  });
  const cancelled = queue.states.cancelled > 0 ? ` · ${compactNumber(queue.states.cancelled)} cancelled` : '';
  const finished = `${STATE_LOOK.succeeded.glyph} ${compactNumber(queue.states.succeeded)} succeeded${cancelled}`;
  lines.push([seg(fit('finished', 10), { dim: true }), seg(fit(finished, width - 10), { dim: true })]);
  return lines;
}

export function priorityLines(queue: QueueStats, width: number): Segs[] {
  const entries = Object.entries(queue.priorities)
    .map(([priority, states]) => ({ priority: Number(priority), states, depth: depth(states) }))
    .filter((entry) => entry.depth > 0)
    .sort((a, b) => b.priority - a.priority);
  if (entries.length === 0) return [[seg(fit('priority', 14), { dim: true }), seg('nothing waiting', { dim: true })]];
  const max = Math.max(1, ...entries.map((entry) => entry.depth));
  const labels = entries.map((entry) => `prio ${priorityName(entry.priority)}`);
  const labelWidth = Math.min(16, Math.max(...labels.map((label) => label.length)));
  const barWidth = Math.max(1, width - labelWidth - 1 - 1 - 6);
  return entries.map((entry, i) => {
    const counts = Object.fromEntries(DEPTH_STATES.map((state) => [state, entry.states[state] ?? 0]));
    return [seg(fit(labels[i]!, labelWidth)), ' ', ...depthBar(counts, max, barWidth), ' ', seg(fit(compactNumber(entry.depth), 6, 'right'))];
  });
}

export function rateLines(rates: QueueRates | undefined, width: number, sparklines: boolean): Segs[] {
  const rows: [string, 'submitted' | 'completed' | 'failed', string | undefined][] = [
    ['submitted', 'submitted', undefined],
    ['completed', 'completed', STATE_LOOK.succeeded.color],
    ['failed', 'failed', STATE_LOOK.failed.color],
  ];
  const sparkWidth = Math.max(0, Math.min(60, width - 10 - 9 - 1));
  return rows.map(([label, pick, color]) => {
    const value = rates?.current ? rates.current[pick] : null;
    const history = (rates?.history ?? []).map((sample) => sample[pick]);
    const line: Segs = [seg(fit(label, 10)), seg(fit(`${formatRate(value)}/s`, 9, 'right'), value ? { bold: true } : { dim: true })];
    if (sparklines && sparkWidth > 0) line.push(' ', seg(sparkline(history, sparkWidth), { color: color ?? ACCENT }));
    return line;
  });
}

/** The detail's first line: the queue, paused or not, depth, oldest pending, dead; hints go first when tight. */
export function titleLine(queue: QueueStats, width: number): Segs {
  const variant = (hints: boolean, oldest: boolean): Segs => {
    const parts: Segs = [seg(`▌${queue.name}`, { bold: true, color: ACCENT })];
    if (queue.paused) parts.push(seg('  ‖ PAUSED', { bold: true, color: WARN }), ...(hints ? [seg(' (p resumes)', { dim: true })] : []));
    parts.push(seg(`  depth ${compactNumber(depth(queue.states))}`));
    if (oldest && queue.oldestPendingAgeMs !== null) parts.push(seg(` · oldest pending ${age(queue.oldestPendingAgeMs)}`));
    if (queue.states.dead > 0) {
      parts.push(seg(` · ${compactNumber(queue.states.dead)} dead`, { color: STATE_LOOK.dead.color, bold: true }), ...(hints ? [seg(' (r replays)', { dim: true })] : []));
    }
    return parts;
  };
  const variants = [variant(true, true), variant(false, true), variant(false, false)];
  return variants.find((parts) => segsWidth(parts) <= width) ?? variants.at(-1)!;
}

export function detailLines(props: DetailProps): Segs[] {
  const { queue, width, height } = props;
  const sparklines = props.sparklines ?? true;
  const lines: Segs[] = [titleLine(queue, width)];
  const gap = 3;
  if (width >= THREE_COLUMNS_MIN) {
    const column = Math.min(64, Math.floor((width - 2 * gap) / 3));
    lines.push(...sideBySide([stateLines(queue, column), priorityLines(queue, column), rateLines(props.rates, column, sparklines)], column, gap));
  } else if (width >= TWO_COLUMNS_MIN) {
    const left = Math.min(56, Math.floor((width - gap) / 2));
    const right = Math.min(72, width - left - gap);
    lines.push(...sideBySide([stateLines(queue, left), [...rateLines(props.rates, right, sparklines), ...priorityLines(queue, right)]], left, gap));
  } else {
    lines.push(...rateLines(props.rates, width, sparklines), ...stateLines(queue, width), ...priorityLines(queue, width));
  }
  return lines.slice(0, Math.max(0, height));
}

/** Lines the detail wants at this width (the title included). */
export function detailHeight(queue: QueueStats, width: number): number {
  return detailLines({ queue, rates: undefined, width, height: Infinity }).length;
}

/** Columns of lines next to each other, each padded to `width` (the last one is not). */
function sideBySide(columns: Segs[][], width: number, gap: number): Segs[] {
  const rows = Math.max(...columns.map((column) => column.length));
  const out: Segs[] = [];
  for (let i = 0; i < rows; i++) {
    const line: Segs = [];
    columns.forEach((column, c) => {
      const cell = column[i] ?? [];
      line.push(...cell);
      if (c < columns.length - 1) line.push(' '.repeat(Math.max(0, width - segsWidth(cell)) + gap));
    });
    out.push(line);
  }
  return out;
}
