// The scheduler wired to a cluster through client/: what composition roots import.
export { type ClientHostOptions, ClientSchedulerHost, podRef } from './client-host.ts';
export { defaultSpreadSelector, type SpreadListers } from './default-spread.ts';
export { feedScheduler, type SchedulerInformers } from './informer-feed.ts';
export {
  type RunningScheduler,
  SCHEDULER_LEASE_NAME,
  SCHEDULER_LEASE_NAMESPACE,
  type SchedulerLeaderElection,
  type StartSchedulerOptions,
  startScheduler,
} from './start-scheduler.ts';
