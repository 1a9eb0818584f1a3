/** The bottom line: the keys, the filter being typed, a confirmation, the last action's outcome. */
import { activeFilter, type UiState } from '../keys.ts';
import { ACCENT, ERROR, WARN } from '../theme.ts';
import { truncate } from '../text.ts';
import { type Segs, seg, segsWidth } from './segs.ts';

export const KEY_HINT = '↑↓ select · p pause/resume · r replay dead · / filter · ? keys · q quit';

export function footerLine(ui: UiState, counts: { shown: number; total: number }, width: number): Segs {
  const mode = ui.mode;
  if (mode.kind === 'filter') {
    return [
      seg('/', { bold: true, color: ACCENT }),
      seg(mode.draft),
      seg('▏', { color: ACCENT }),
      seg(`   ${counts.shown} of ${counts.total} queues match · Enter keeps the filter · Esc clears it`, { dim: true }),
    ];
  }
  if (mode.kind === 'confirm') {
    return [
      seg(`Replay ${mode.dead} dead task${mode.dead === 1 ? '' : 's'} of ${mode.queue}? `, { bold: true, color: WARN }),
      seg('[y/n]', { bold: true }),
      seg('  they become pending again, attempts reset', { dim: true }),
    ];
  }
  if (mode.kind === 'help') return [seg('any key closes the help · q quits', { dim: true })];
  const out: Segs = [];
  const filter = activeFilter(ui);
  if (filter !== '') out.push(seg(`filter "${filter}": ${counts.shown} of ${counts.total} queues (Esc clears)`, { color: ACCENT, bold: true }), '  ');
  if (ui.message) {
    out.push(ui.message.tone === 'error' ? seg(`✗ ${ui.message.text}`, { color: ERROR, bold: true }) : seg(ui.message.text, { bold: true }));
  } else {
    out.push(seg(truncate(KEY_HINT, Math.max(0, width - segsWidth(out))), { dim: true }));
  }
  return out;
}
