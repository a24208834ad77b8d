// A Job's pods (upstream job_controller.go): the template plus the job-tracking finalizer, and for
// Indexed Jobs the completion index as annotation, label, JOB_COMPLETION_INDEX env var and a stable
// hostname `<job>-<index>`.
import type { KObject, OwnerReference } from '../../api/object.ts';
import { generateNamePrefix, podFromTemplate } from '../common/pod-control.ts';
import { JOB_COMPLETION_INDEX } from './indexes.ts';

/** Holds finished pods until the controller has counted them in the Job's status. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const JOB_COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';

export function jobPod(job: KObject, ref: OwnerReference, index?: number): KObject {
  const name = job.metadata!.name!;
  const pod = podFromTemplate(job.spec?.template, job.metadata!.namespace!, ref);
  const meta = pod.metadata!;
  meta.finalizers = [...(meta.finalizers ?? []), JOB_TRACKING_FINALIZER];
  if (index === undefined) {
    meta.generateName = generateNamePrefix(name);
    return pod;
  }
  meta.generateName = generateNamePrefix(`${name}-${index}`);
  meta.annotations = { ...meta.annotations, [JOB_COMPLETION_INDEX]: String(index) };
  meta.labels = { ...meta.labels, [JOB_COMPLETION_INDEX]: String(index) };
  pod.spec.hostname ??= `${name}-${index}`;
  const env = {
    name: JOB_COMPLETION_INDEX_ENV,
    valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX}']` } },
  };
  for (const c of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])]) {
    if (!(c.env ?? []).some((e: KObject) => e.name === JOB_COMPLETION_INDEX_ENV))
      c.env = [...(c.env ?? []), env];
  }
  return pod;
}

export const hasTrackingFinalizer = (pod: KObject): boolean =>
  (pod.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
