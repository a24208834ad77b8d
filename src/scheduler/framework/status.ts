// A plugin's verdict: a code and human-readable reasons, never an exception. `undefined` is the
// allocation-free Success that plugins return on the hot path (Go's nil *Status).

export const Code = {
  Success: 'Success',
  /** An internal failure: the pod is retried after backoff, no node is blamed. */
  Error: 'Error',
  /** The node does not fit now, but preemption might make room. */
  Unschedulable: 'Unschedulable',
  /** The node cannot fit the pod whatever is removed from it: preemption skips it. */
  UnschedulableAndUnresolvable: 'UnschedulableAndUnresolvable',
  /** A Permit plugin holds the pod until it is allowed or rejected. */
  Wait: 'Wait',
  /** The plugin has nothing to do for this pod (PreFilter/PreScore skip the matching Filter/Score). */
  Skip: 'Skip',
  /** The pod waits for something outside the scheduler (not a node problem). */
  Pending: 'Pending',
} as const;
export type Code = (typeof Code)[keyof typeof Code];

export class Status {
  readonly code: Code;
  readonly reasons: readonly string[];
  /** The plugin that produced the status, filled in by the framework. */
  plugin: string | undefined;
  readonly cause: unknown;

  constructor(code: Code, reasons: readonly string[] = [], cause?: unknown) {
    this.code = code;
    this.reasons = reasons;
    this.cause = cause;
  }

  message(): string {
    return this.reasons.join(', ');
  }

  withPlugin(plugin: string): this {
    this.plugin = plugin;
    return this;
  }
}

export const newStatus = (code: Code, ...reasons: string[]): Status => new Status(code, reasons);

export const errorStatus = (err: unknown): Status =>
  new Status(Code.Error, [err instanceof Error ? err.message : String(err)], err);

export const isSuccess = (s: Status | undefined): boolean => s === undefined || s.code === Code.Success;

/** Unschedulable, UnschedulableAndUnresolvable or Pending: the pod goes back to the queue. */
export const isRejected = (s: Status | undefined): boolean =>
  s !== undefined &&
  (s.code === Code.Unschedulable || s.code === Code.UnschedulableAndUnresolvable || s.code === Code.Pending);

export const isSkip = (s: Status | undefined): boolean => s !== undefined && s.code === Code.Skip;
