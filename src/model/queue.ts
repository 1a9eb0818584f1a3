/** A queue as the broker lists it. */

export interface QueueInfo {
  name: string;
  paused: boolean;
}
