/** The top line (broker, connection, totals) and the banner shown while the broker is away. */
import { formatDuration } from '../../cli/format.ts';
import type { TopData } from '../model.ts';
import { ACCENT, STATE_LOOK, WARN } from '../theme.ts';
import { formatRate } from '../text.ts';
import { type Segs, seg, segsWidth } from './segs.ts';
import { workerSummary } from './workers.ts';

function since(ms: number, now: number): string {
  return formatDuration(Math.max(0, now - ms));
}

/** Pieces added left to right while they fit; `right` is pinned to the right edge when it fits. */
function fitPieces(pieces: Segs[], right: Segs, width: number): Segs {
  const out: Segs = [];
  let used = 0;
  const rightWidth = segsWidth(right);
  for (const piece of pieces) {
    const w = segsWidth(piece);
    if (used + w > width) break;
    out.push(...piece);
    used += w;
  }
  if (right.length > 0 && used + 2 + rightWidth <= width) out.push(' '.repeat(width - used - rightWidth), ...right);
  return out;
}

export function headerLine(data: TopData, broker: string, width: number, now: number, options: { keysHint?: boolean } = {}): Segs {
  const status: Segs =
    data.connection === 'live'
      ? [seg('● live', { color: 'green', bold: true })]
      : data.connection === 'reconnecting'
        ? [seg(`○ reconnecting… ${since(data.since, now)}`, { color: WARN, bold: true })]
        : [seg('○ connecting…', { color: WARN, bold: true })];
  const pieces: Segs[] = [[seg('tq top', { bold: true, color: ACCENT }), ` ${broker} `], status];
  const queues = data.stats?.queues.length ?? 0;
  if (data.stats) pieces.push([` · ${queues} queue${queues === 1 ? '' : 's'}`], [` · ${workerSummary(data.workers)}`]);
  if (data.totalRates) {
    pieces.push(
      [` · in ${formatRate(data.totalRates.submitted)}/s`],
      [` · done ${formatRate(data.totalRates.completed)}/s`],
      [' · ', seg(`fail ${formatRate(data.totalRates.failed)}/s`, data.totalRates.failed > 0 ? { color: STATE_LOOK.failed.color } : {})],
    );
  }
  return fitPieces(pieces, options.keysHint === false ? [] : [seg('? keys', { dim: true })], width);
}

/** While the broker is away: what happened, and how old the data on screen is. */
export function bannerLine(data: TopData, now: number): Segs | null {
  if (data.connection === 'live') return null;
  const stale = data.updatedAt === null ? 'no data yet' : `showing data from ${since(data.updatedAt, now)} ago`;
  return [seg(`⚠ ${stale}`, { color: WARN, bold: true }), seg(` · ${data.error ?? 'waiting for the broker'}`, { color: WARN })];
}
