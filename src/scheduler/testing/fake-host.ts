// An in-memory SchedulerHost: records what the scheduler asked for, binds unless told to fail.
import type { SchedulerHost, SchedulingFailure } from '../host.ts';
import type { Pod } from '../types.ts';
import { podKey } from '../types.ts';

export class FakeHost implements SchedulerHost {
  readonly bound = new Map<string, string>();
  readonly failures: { pod: string; failure: SchedulingFailure }[] = [];
  readonly events: string[] = [];
  readonly preempted: { victim: string; preemptor: string; node: string }[] = [];
  /** Pods (by key) whose bind call rejects. */
  readonly failBind = new Set<string>();

  async bind(pod: Pod, nodeName: string): Promise<void> {
    if (this.failBind.has(podKey(pod))) throw new Error(`binding rejected for ${podKey(pod)}`);
    this.bound.set(podKey(pod), nodeName);
  }

  scheduled(_pod: Pod, _nodeName: string, message: string): void {
    this.events.push(`Scheduled: ${message}`);
  }

  failed(pod: Pod, failure: SchedulingFailure): void {
    this.failures.push({ pod: podKey(pod), failure });
    this.events.push(`FailedScheduling: ${failure.message}`);
  }

  async preempt(victim: Pod, preemptor: Pod, nodeName: string): Promise<void> {
    this.preempted.push({ victim: podKey(victim), preemptor: podKey(preemptor), node: nodeName });
  }
}
