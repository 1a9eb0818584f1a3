/** The timers of a connection (its hello, idleness, a frame begun but not yet whole). */

/** A timer that can be started again from now and stopped; 0 ms means it never fires. */
export class Deadline {
  private readonly ms: number;
  private readonly fire: () => void;
  private timer: NodeJS.Timeout | null = null;

  constructor(ms: number, fire: () => void) {
    this.ms = ms;
    this.fire = fire;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  /** Starts the timer, or starts it again from now. */
  restart(): void {
    if (this.ms <= 0) return;
    if (this.timer) {
      this.timer.refresh();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.fire();
    }, this.ms);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
