/**
 * How states look. Every state has a glyph and a name as well as a colour, so nothing on the
 * screen means something by colour alone: without colour support (NO_COLOR, FORCE_COLOR=0,
 * TERM=dumb, a terminal without colours) the same screen is drawn without the colours.
 */
import type { TaskState } from '../model/task.ts';

export interface StateLook {
  label: string;
  /** A short label, for legends in tight places. */
  short: string;
  /** The glyph a stacked bar uses for the state. */
  glyph: string;
  color: string;
}

export const STATE_LOOK: Record<TaskState, StateLook> = {
  waiting: { label: 'waiting', short: 'wait', glyph: '▒', color: 'gray' },
  scheduled: { label: 'scheduled', short: 'sched', glyph: '▒', color: 'blue' },
  pending: { label: 'pending', short: 'pend', glyph: '█', color: 'cyan' },
  running: { label: 'running', short: 'run', glyph: '▓', color: 'green' },
  failed: { label: 'failed', short: 'fail', glyph: '░', color: 'yellow' },
  dead: { label: 'dead', short: 'dead', glyph: '×', color: 'red' },
  succeeded: { label: 'succeeded', short: 'done', glyph: '✓', color: 'green' },
  cancelled: { label: 'cancelled', short: 'canc', glyph: '-', color: 'gray' },
};

/** The states a queue's depth bar stacks, in order. */
export const STACKED: TaskState[] = ['running', 'pending', 'scheduled', 'failed'];

export const ACCENT = 'cyan';
export const WARN = 'yellow';
export const ERROR = 'red';

/**
 * Whether to colour: Node's own reading of the terminal (`hasColors()` honours NO_COLOR,
 * NODE_DISABLE_COLORS, FORCE_COLOR and TERM=dumb). Without colour, bold and inverse may still be
 * drawn (they are not colours); with FORCE_COLOR=0 or TERM=dumb ink draws no styles at all.
 */
export function supportsColor(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && typeof stream.hasColors === 'function' && stream.hasColors();
}
