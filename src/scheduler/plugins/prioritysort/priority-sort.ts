// PrioritySort: higher spec.priority first, then the pod that has waited longer.
import type { QueuedPodInfo, QueueSortPlugin } from '../../framework/interface.ts';
import { podPriority } from '../../types.ts';

export const NAME = 'PrioritySort';

export function prioritySortLess(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
  const pa = podPriority(a.pod);
  const pb = podPriority(b.pod);
  return pa > pb || (pa === pb && a.timestamp < b.timestamp);
}

export const newPrioritySort = (): QueueSortPlugin => ({ name: NAME, less: prioritySortLess });
