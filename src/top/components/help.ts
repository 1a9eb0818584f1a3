/** The help panel: the keys, and how to read the bars, rates and markers. */
import { KEY_HELP } from '../keys.ts';
import { ACCENT, STACKED, STATE_LOOK } from '../theme.ts';
import { fit } from '../text.ts';
import { type Segs, seg } from './segs.ts';

export function helpLines(width: number): Segs[] {
  const key = (name: string, what: string): Segs => ['  ', seg(fit(name, 12), { bold: true, color: ACCENT }), ' ', what];
  const legend = STACKED.map((state) => `${STATE_LOOK[state].glyph} ${STATE_LOOK[state].label}`).join('  ');
  return [
    [seg('KEYS', { bold: true })],
    ...KEY_HELP.map(([name, what]) => key(name, what)),
    [''],
    [seg('READING THE SCREEN', { bold: true })],
    key('DEPTH', `tasks not finished: ${legend}`),
    key('IN/s', 'tasks submitted per second (growth of the queue\'s task count)'),
    key('DONE/s', 'tasks succeeded per second'),
    key('FAIL/s', 'attempts failed per second (net growth of failed + dead)'),
    key('sparklines', 'the rates over the last minute, oldest on the left'),
    key('(paused) ‖', 'workers get none of the queue\'s tasks until it is resumed'),
    key('retry, dead', 'failed, waits for a retry · out of retries, in the DLQ'),
  ].map((line) => (width > 0 ? line : []));
}
