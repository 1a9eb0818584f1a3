/** What a worker holds and what its heartbeat hears back. */

export interface LeaseRef {
  id: string;
  token: number;
}

export interface HeartbeatOutcome {
  extended: string[];
  /** Leases whose token is not the task's current one: the worker must stop those tasks. */
  rejected: string[];
  /** Tasks the worker holds whose cancellation was requested. */
  cancelRequested: string[];
}
