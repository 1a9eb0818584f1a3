/**
 * How the screen's rows are shared: the header and footer always; then the queue table (three
 * queues at least), the selected queue's detail, a little of the workers and of the failures;
 * then the rest of the queues, workers and failures; spare rows become blank separators. Pure, so
 * any terminal size can be checked without a terminal.
 */

export interface LayoutInput {
  rows: number;
  /** Queues on screen. */
  queues: number;
  /** Lines the selected queue's detail wants (0: none selected). */
  detail: number;
  workers: number;
  failures: number;
  /** A line under the header while the broker is away. */
  banner: boolean;
  /** Lines of the help panel, when it is open (it takes the place of detail, workers, failures). */
  help: number | null;
}

export interface Layout {
  /** Rows for queues in the table (its header not counted). */
  queueRows: number;
  /** Lines for each section, its own header included; 0 hides it. */
  detail: number;
  workers: number;
  failures: number;
  help: number;
  /** Whether a blank line goes before the detail, workers and failures sections. */
  gaps: { detail: boolean; workers: boolean; failures: boolean };
  /** Blank lines above the footer, so the footer sits on the last row. */
  padding: number;
}

/** The minimum rows given to the queue table, and to the workers and failures (with their headers). */
const MIN_QUEUE_ROWS = 3;
const MIN_SECTION = 2;

export function layout(input: LayoutInput): Layout {
  let avail = Math.max(0, input.rows - 2 - (input.banner ? 1 : 0));
  const take = (want: number) => {
    const got = Math.max(0, Math.min(want, avail));
    avail -= got;
    return got;
  };
  const queueBody = Math.max(1, input.queues);
  // The table's header and its first rows.
  let queueLines = take(1 + Math.min(queueBody, MIN_QUEUE_ROWS));
  const out: Layout = { queueRows: 0, detail: 0, workers: 0, failures: 0, help: 0, gaps: { detail: false, workers: false, failures: false }, padding: 0 };
  const workersWant = input.workers === 0 ? 1 : 1 + input.workers;
  const failuresWant = input.failures === 0 ? 1 : 1 + input.failures;
  if (input.help !== null) {
    queueLines += take(1 + queueBody - queueLines);
    out.help = take(input.help);
  } else {
    out.detail = take(input.detail);
    out.workers = take(Math.min(MIN_SECTION, workersWant));
    out.failures = take(Math.min(MIN_SECTION, failuresWant));
    queueLines += take(1 + queueBody - queueLines);
    out.workers += take(workersWant - out.workers);
    out.failures += take(failuresWant - out.failures);
  }
  out.queueRows = Math.max(0, queueLines - 1);
  // Spare rows: a blank line before each section shown, then padding.
  for (const section of ['detail', 'workers', 'failures'] as const) {
    const shown = section === 'detail' ? out.detail > 0 || out.help > 0 : out[section] > 0;
    if (shown && avail > 0) {
      out.gaps[section] = true;
      avail--;
    }
  }
  out.padding = avail;
  return out;
}
