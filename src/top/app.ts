/**
 * The `tq top` screen: an Ink app drawn from TopModel's data and the screen's own state (keys.ts),
 * laid out to the terminal's size (layout.ts) and again whenever the terminal is resized.
 */
import { Box, useApp, useInput, useWindowSize } from 'ink';
import type React from 'react';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { footerLine } from './components/footer.ts';
import { bannerLine, headerLine } from './components/header.ts';
import { detailLines } from './components/detail.ts';
import { failureLines } from './components/failures.ts';
import { helpLines } from './components/help.ts';
import { h, Lines } from './components/line.ts';
import type { Segs } from './components/segs.ts';
import { queueTableLines } from './components/queues.ts';
import { workerLines } from './components/workers.ts';
import { activeFilter, INITIAL_UI, type KeyInfo, onKey, selectedQueue, type UiState, visibleQueues } from './keys.ts';
import { layout } from './layout.ts';
import type { TopData, TopModel } from './model.ts';

export interface TopAppProps {
  model: TopModel;
  /** The broker's address, for the header. */
  broker: string;
  /** Draw colours (see theme.ts supportsColor); glyphs and labels carry the meaning either way. */
  color: boolean;
  /** A fixed size (tests); by default the terminal's, following resizes. */
  columns?: number;
  rows?: number;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Every line of the screen for this data, state and size: exactly `rows` lines. */
export function screenLines(data: TopData, ui: UiState, options: { broker: string; columns: number; rows: number; now: number }): Segs[] {
  const { broker, columns, rows, now } = options;
  const queues = data.stats?.queues ?? [];
  const visible = visibleQueues(ui, queues);
  const selected = selectedQueue(ui, visible);
  const shownNames = new Set(visible.map((queue) => queue.name));
  const failures = activeFilter(ui) === '' ? data.failures : data.failures.filter((task) => shownNames.has(task.queue));
  const detailWant = selected ? detailLines({ queue: selected, rates: data.rates.get(selected.name), width: columns, height: Infinity }).length : 0;
  const banner = bannerLine(data, now);
  const help = ui.mode.kind === 'help' ? helpLines(columns) : null;
  const plan = layout({ rows, queues: visible.length, detail: detailWant, workers: data.workers.length, failures: failures.length, banner: banner !== null, help: help?.length ?? null });

  const empty =
    data.stats === null ? 'waiting for the broker…' : queues.length === 0 ? 'no queues yet: a queue appears with its first task (tq submit)' : `no queue matches "${activeFilter(ui)}"`;
  const lines: Segs[] = [headerLine(data, broker, columns, now)];
  if (banner) lines.push(banner);
  lines.push(...queueTableLines({ queues: visible, rates: data.rates, selected: selected?.name ?? null, width: columns, height: plan.queueRows, empty }).slice(0, plan.queueRows + 1));
  if (help) {
    if (plan.gaps.detail) lines.push([]);
    lines.push(...help.slice(0, plan.help));
  } else {
    if (selected && plan.detail > 0) {
      if (plan.gaps.detail) lines.push([]);
      lines.push(...detailLines({ queue: selected, rates: data.rates.get(selected.name), width: columns, height: plan.detail }));
    }
    if (plan.workers > 0) {
      if (plan.gaps.workers) lines.push([]);
      lines.push(...workerLines({ workers: data.workers, width: columns, height: plan.workers, now }));
    }
    if (plan.failures > 0) {
      if (plan.gaps.failures) lines.push([]);
      lines.push(...failureLines({ failures, width: columns, height: plan.failures, now }));
    }
  }
  while (lines.length < rows - 1) lines.push([]);
  lines.length = Math.max(0, Math.min(lines.length, rows - 1));
  lines.push(footerLine(ui, { shown: visible.length, total: queues.length }, columns));
  return lines;
}

export function TopApp(props: TopAppProps): React.ReactElement {
  const { model } = props;
  const data = useSyncExternalStore(model.subscribe, model.getState);
  const size = useWindowSize();
  const columns = Math.max(20, props.columns ?? size.columns);
  const rows = Math.max(5, props.rows ?? size.rows);
  const { exit } = useApp();
  const [ui, setUiState] = useState<UiState>(INITIAL_UI);
  // Keys can arrive faster than React re-renders: each one works on the latest state.
  const uiRef = useRef(ui);
  const dataRef = useRef(data);
  dataRef.current = data;
  const setUi = (update: (current: UiState) => UiState) => {
    uiRef.current = update(uiRef.current);
    setUiState(uiRef.current);
  };
  // Ages and "reconnecting… 12s" move on even when no poll answers.
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((tick) => tick + 1), 1_000);
    return () => clearInterval(timer);
  }, []);

  const press = (input: string, key: KeyInfo) => {
    const { ui: next, effect } = onKey(uiRef.current, input, key, dataRef.current.stats?.queues ?? []);
    setUi(() => next);
    if (!effect) return;
    if (effect.kind === 'quit') {
      exit();
      return;
    }
    const action = effect.kind === 'replay' ? model.replayDead(effect.queue) : model.setPaused(effect.queue, effect.kind === 'pause');
    action.then(
      (text) => setUi((current) => ({ ...current, message: { text, tone: 'info' } })),
      (error: unknown) => setUi((current) => ({ ...current, message: { text: errorText(error), tone: 'error' } })),
    );
  };
  useInput((input, key) => {
    // Ink hands over keys typed in quick succession (or pasted) as one string: one key at a time.
    const plainKeys = input.length > 1 && !key.ctrl && !key.meta && !key.upArrow && !key.downArrow && !key.return && !key.escape;
    if (!plainKeys) return press(input, key);
    for (const char of input) press(char, {});
  });

  const lines = screenLines(data, ui, { broker: props.broker, columns, rows, now: Date.now() });
  return h(Box, { flexDirection: 'column', width: columns }, h(Lines, { lines, color: props.color }));
}

