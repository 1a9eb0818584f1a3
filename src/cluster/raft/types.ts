/**
 * The vocabulary of the Raft core: entries, hard state, membership, messages and the Ready that
 * hands the outside world what it must persist, send and apply. Plain data only, so a message can
 * be framed as msgpack by the transport and a transcript test can print it. Shaped after
 * etcd-io/raft's raftpb, trimmed to what tq needs (single-server membership changes, no joint
 * consensus).
 */

/** A node's id: a positive integer, never reused (a wiped node joins under a new id). 0 means none. */
export type NodeId = number;

export const NONE: NodeId = 0;

/**
 * - `normal`: an application proposal; empty `data` is the no-op a new leader appends.
 * - `config`: a membership change, in `change`.
 */
export type EntryKind = 'normal' | 'config';

/** One membership change; applied one at a time. */
export interface ConfigChange {
  type: 'addLearner' | 'promote' | 'remove';
  node: NodeId;
  /** Where the node's peer port listens (opaque to the core, kept in the configuration). */
  address?: string;
}

export interface Entry {
  term: number;
  index: number;
  kind: EntryKind;
  /** The application's bytes (a batch of engine commands); empty for a no-op and a config entry. */
  data: Uint8Array;
  change?: ConfigChange;
}

/** What must be on disk before any message that depends on it leaves the node. */
export interface HardState {
  term: number;
  vote: NodeId;
  commit: number;
}

/** The membership: voters decide, learners only receive the log. Sorted ascending, disjoint. */
export interface ConfState {
  voters: NodeId[];
  learners: NodeId[];
  /** Peer addresses by node id, as recorded by config entries (and the initial cluster). */
  addresses: Record<string, string>;
}

/**
 * A snapshot as the core sees it: where it stands in the log and the membership at that point.
 * The state itself (a copy of the engine's LMDB environment) never passes through the core: the
 * storage makes it, the transport streams it in chunks, the application installs it.
 */
export interface SnapshotMeta {
  index: number;
  term: number;
  conf: ConfState;
}

export type MessageType =
  // local only: never cross the network
  | 'hup' // start an election (pre-vote first)
  | 'beat' // leader: send heartbeats now
  | 'checkQuorum'
  | 'unreachable' // the transport could not reach `from`
  | 'snapStatus' // the transport finished (or failed, reject) sending a snapshot to `from`
  // between nodes
  | 'app'
  | 'appResp'
  | 'heartbeat'
  | 'heartbeatResp'
  | 'preVote'
  | 'preVoteResp'
  | 'vote'
  | 'voteResp'
  | 'snap'
  | 'transferLeader' // to the leader: hand leadership to `from`'s named target (see RawNode.transferLeader)
  | 'timeoutNow' // leader to its chosen successor: campaign now, skipping pre-vote and lease checks
  | 'readIndex'
  | 'readIndexResp';

export interface Message {
  type: MessageType;
  from: NodeId;
  to: NodeId;
  term: number;
  /** app: term of the entry at `index`; vote/preVote: the candidate's last log term. */
  logTerm: number;
  /** app: the index before `entries`; appResp: the follower's last matching index; vote: last index. */
  index: number;
  entries: Entry[];
  /** The sender's commit index (app, heartbeat: capped at what the follower is known to hold). */
  commit: number;
  reject: boolean;
  /** appResp with reject: a hint where the follower's log may match (etcd's rejectHint). */
  rejectHint: number;
  /** snap: the snapshot to install. */
  snapshot?: SnapshotMeta;
  /** readIndex/heartbeat: the request's opaque context, echoed back. */
  context?: Uint8Array;
}

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader' | 'learner';

export interface SoftState {
  leader: NodeId;
  role: Role;
}

/** A linearisable read may be served once the applied index reaches `index`. */
export interface ReadState {
  index: number;
  context: Uint8Array;
}

/**
 * What the core hands out, in the order the application must act on it:
 * 1. persist `snapshot` (if any), then `entries` and `hardState` in one durable transaction;
 * 2. only then send `messages` (a vote or an append reply depends on what was just persisted);
 * 3. apply `committedEntries` in order (each batch writes its index with its effects);
 * 4. call `advance(ready)`.
 */
export interface Ready {
  softState?: SoftState;
  hardState?: HardState;
  entries: Entry[];
  snapshot?: SnapshotMeta;
  committedEntries: Entry[];
  messages: Message[];
  readStates: ReadState[];
}

/** Thrown by storage for an index that was compacted into a snapshot. */
export class CompactedError extends Error {
  constructor(index: number) {
    super(`raft log index ${index} is compacted`);
    this.name = 'CompactedError';
  }
}

/** Thrown by storage for an index past its last entry. */
export class UnavailableError extends Error {
  constructor(index: number) {
    super(`raft log index ${index} is not available`);
    this.name = 'UnavailableError';
  }
}

/**
 * The stable log as the core reads it (synchronous: LMDB reads are). Appending, applying
 * snapshots and compacting are the application's, driven by Ready.
 */
export interface RaftStorage {
  /** The hard state and membership saved last (zeroes and the initial cluster on a fresh node). */
  initialState(): { hardState: HardState; conf: ConfState };
  /** Entries [lo, hi), at most `maxBytes` of data (at least one entry if any). */
  entries(lo: number, hi: number, maxBytes: number): Entry[];
  /** The term of the entry at `index`; the snapshot's index answers the snapshot's term. */
  term(index: number): number;
  /** The first index still held as an entry (snapshot index + 1). */
  firstIndex(): number;
  lastIndex(): number;
  /** The newest snapshot's meta, for a follower too far behind. */
  snapshot(): SnapshotMeta;
}

export interface RaftConfig {
  id: NodeId;
  storage: RaftStorage;
  /** Ticks without a leader's word before a follower campaigns: drawn in [electionTicks, 2·electionTicks). */
  electionTicks: number;
  heartbeatTicks: number;
  /** Seeds the core's own deterministic generator for election timeouts. */
  seed: number;
  /** The index applied before this start (the engine's applied index). */
  applied: number;
  /** Bound on one append message's entry data. */
  maxMessageBytes: number;
  /** Bound on entries sent but not yet acknowledged, per follower. */
  maxInflightMessages: number;
  /** Test only: break one rule, so the simulation proves it catches the break. */
  unsafe?: UnsafeSwitch;
}

/** Rule breaks the deterministic simulation must catch (never set outside tests). */
export type UnsafeSwitch =
  /** count replicas of an earlier-term entry to commit it (the paper's figure 8) */
  | 'commitPreviousTerm'
  /** a follower replies to an append before the entries are persisted */
  | 'ackBeforeSync';

export interface Progress {
  match: number;
  next: number;
  state: 'probe' | 'replicate' | 'snapshot';
  recentActive: boolean;
  learner: boolean;
}

export interface Status {
  id: NodeId;
  role: Role;
  leader: NodeId;
  term: number;
  vote: NodeId;
  commit: number;
  applied: number;
  lastIndex: number;
  conf: ConfState;
  /** On the leader only: each peer's progress. */
  progress: Record<string, Progress>;
  /** Set while a leadership transfer is under way. */
  transferee: NodeId;
}
