/**
 * The screen's own state (selected queue, filter, help, a confirmation, the last message) and what
 * each key does to it. Pure: a key and the queues on screen in, the next state and at most one
 * effect for the app to carry out (quit, pause, resume, replay) out.
 */
import type { QueueStats } from '../model/stats.ts';
import { filterQueues } from './model.ts';

export type Mode =
  | { kind: 'normal' }
  | { kind: 'filter'; draft: string }
  | { kind: 'help' }
  | { kind: 'confirm'; queue: string; dead: number };

export interface Message {
  text: string;
  tone: 'info' | 'error';
}

export interface UiState {
  /** The selected queue's name; the first queue on screen when null or no longer shown. */
  selected: string | null;
  /** Queues shown: names containing this, ignoring case. */
  filter: string;
  mode: Mode;
  message: Message | null;
}

export type Effect =
  | { kind: 'quit' }
  | { kind: 'pause'; queue: string }
  | { kind: 'resume'; queue: string }
  | { kind: 'replay'; queue: string };

/** What the app learns about a key press (a subset of ink's Key). */
export interface KeyInfo {
  upArrow?: boolean;
  downArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
  backspace?: boolean;
  delete?: boolean;
  tab?: boolean;
  meta?: boolean;
}

export const INITIAL_UI: UiState = { selected: null, filter: '', mode: { kind: 'normal' }, message: null };

/** The filter in force: while typing one, the draft. */
export function activeFilter(ui: UiState): string {
  return ui.mode.kind === 'filter' ? ui.mode.draft : ui.filter;
}

/** The queues on screen, in the broker's (name) order. */
export function visibleQueues(ui: UiState, queues: QueueStats[]): QueueStats[] {
  return filterQueues(queues, activeFilter(ui));
}

/** The selected queue among those on screen: the chosen one if shown, else the first. */
export function selectedQueue(ui: UiState, visible: QueueStats[]): QueueStats | null {
  return visible.find((queue) => queue.name === ui.selected) ?? visible[0] ?? null;
}

/** The keys, for the help screen and the footer. */
export const KEY_HELP: [string, string][] = [
  ['↑ ↓  k j', 'select a queue (PgUp/PgDn, Home/End jump)'],
  ['p', 'pause the selected queue, or resume it if paused'],
  ['r', 'replay the selected queue\'s dead tasks (asks first: y/n)'],
  ['/', 'filter queues by name: type, Enter to keep, Esc to clear'],
  ['?', 'show or hide these keys'],
  ['q  Ctrl-C', 'quit'],
];

export function onKey(ui: UiState, input: string, key: KeyInfo, queues: QueueStats[]): { ui: UiState; effect?: Effect } {
  if (key.ctrl && input === 'c') return { ui, effect: { kind: 'quit' } };
  const mode = ui.mode;
  switch (mode.kind) {
    case 'filter':
      return { ui: filterKey(ui, mode, input, key, queues) };
    case 'help':
      // Any key closes the help; q still quits.
      if (input === 'q') return { ui, effect: { kind: 'quit' } };
      return { ui: { ...ui, mode: { kind: 'normal' } } };
    case 'confirm':
      if (input === 'y' || input === 'Y') {
        return { ui: { ...ui, mode: { kind: 'normal' }, message: { text: `replaying the dead tasks of ${mode.queue}…`, tone: 'info' } }, effect: { kind: 'replay', queue: mode.queue } };
      }
      if (input === 'n' || input === 'N' || key.escape || input === 'q') {
        return { ui: { ...ui, mode: { kind: 'normal' }, message: { text: 'replay cancelled', tone: 'info' } } };
      }
      return { ui };
    case 'normal':
      return normalKey(ui, input, key, queues);
  }
}

function normalKey(ui: UiState, input: string, key: KeyInfo, queues: QueueStats[]): { ui: UiState; effect?: Effect } {
  const visible = visibleQueues(ui, queues);
  const selected = selectedQueue(ui, visible);
  const cleared = { ...ui, message: null };
  if (input === 'q') return { ui, effect: { kind: 'quit' } };
  if (input === '?') return { ui: { ...cleared, mode: { kind: 'help' } } };
  if (input === '/') return { ui: { ...cleared, mode: { kind: 'filter', draft: ui.filter } } };
  if (key.escape && ui.filter !== '') return { ui: { ...cleared, selected: selected?.name ?? ui.selected, filter: '' } };
  const move = key.upArrow || input === 'k' ? -1 : key.downArrow || input === 'j' ? 1 : key.pageUp ? -10 : key.pageDown ? 10 : key.home ? -Infinity : key.end ? Infinity : 0;
  if (move !== 0) {
    if (visible.length === 0) return { ui: cleared };
    const at = selected ? visible.indexOf(selected) : 0;
    const next = Math.max(0, Math.min(visible.length - 1, at + move));
    return { ui: { ...cleared, selected: visible[next]!.name } };
  }
  if (input === 'p' || input === 'r') {
    if (!selected) return { ui: { ...cleared, message: { text: 'no queue selected', tone: 'error' } } };
    if (input === 'p') {
      return {
        ui: { ...cleared, selected: selected.name, message: { text: `${selected.paused ? 'resuming' : 'pausing'} ${selected.name}…`, tone: 'info' } },
        effect: { kind: selected.paused ? 'resume' : 'pause', queue: selected.name },
      };
    }
    if (selected.states.dead === 0) return { ui: { ...cleared, selected: selected.name, message: { text: `no dead tasks in ${selected.name}`, tone: 'info' } } };
    return { ui: { ...cleared, selected: selected.name, mode: { kind: 'confirm', queue: selected.name, dead: selected.states.dead } } };
  }
  return { ui };
}

function filterKey(ui: UiState, mode: Extract<Mode, { kind: 'filter' }>, input: string, key: KeyInfo, queues: QueueStats[]): UiState {
  // The queue highlighted while typing stays selected whether the filter is kept or cleared.
  const highlighted = () => selectedQueue(ui, visibleQueues(ui, queues))?.name ?? ui.selected;
  if (key.return) return { ...ui, selected: highlighted(), filter: mode.draft.trim(), mode: { kind: 'normal' } };
  if (key.escape) return { ...ui, selected: highlighted(), filter: '', mode: { kind: 'normal' } };
  if (key.backspace || key.delete) return { ...ui, mode: { ...mode, draft: [...mode.draft].slice(0, -1).join('') } };
  if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow) return ui;
  // Queue names are [A-Za-z0-9._:-]: other characters could never match, so they are not typed.
  const typed = [...input].filter((char) => /[A-Za-z0-9._:-]/.test(char)).join('');
  if (typed === '' || mode.draft.length >= 128) return ui;
  return { ...ui, mode: { ...mode, draft: (mode.draft + typed).slice(0, 128) } };
}
