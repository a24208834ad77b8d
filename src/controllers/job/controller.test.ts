import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KObject } from '../../api/object.ts';
import { isNotFound, PODS, type ResourceClient } from '../../client/index.ts';
import { findCondition } from '../common/conditions.ts';
import { JOBS } from '../common/resources.ts';
import { markPod, startWorkloadHarness, type WorkloadHarness } from '../common/test-harness.ts';
import { jobControllerFactoryWith } from './controller.ts';
import { JOB_TRACKING_FINALIZER } from './pod-template.ts';

/** Short back-off so failure tests run in well under a second per retry. */
const TEST_BACKOFF_MS = 100;

const jobOf = (name: string, spec: KObject = {}): KObject => ({
  metadata: { name },
  spec: {
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
    ...spec,
  },
});

describe('job controller', () => {
  let h: WorkloadHarness;
  let pods: ResourceClient;
  let jobs: ResourceClient;
  let maxActive = new Map<string, number>();
  before(async () => {
    h = await startWorkloadHarness([jobControllerFactoryWith({ podFailureBackoffMs: TEST_BACKOFF_MS })]);
    pods = h.client.resource(PODS, 'default');
    jobs = h.client.resource(JOBS, 'default');
    maxActive = new Map();
  });
  after(() => h.stop());

  const podsOf = async (job: string) =>
    (await pods.list({ labelSelector: `batch.kubernetes.io/job-name=${job}` })).items;
  const running = async (job: string) => {
    const list = (await podsOf(job)).filter(
      (p) => !p.metadata?.deletionTimestamp && !['Succeeded', 'Failed'].includes(p.status?.phase),
    );
    maxActive.set(job, Math.max(maxActive.get(job) ?? 0, list.length));
    return list;
  };
  const condition = async (job: string, type: string) =>
    findCondition((await jobs.get(job)).status?.conditions, type);

  it('runs completions with at most parallelism pods and completes', async () => {
    await jobs.create(jobOf('done', { completions: 5, parallelism: 2 }));
    let finished = 0;
    while (finished < 5) {
      const list = await h.eventually(async () => {
        const l = await running('done');
        return l.length === Math.min(2, 5 - finished) && l;
      });
      assert.ok(list[0].metadata!.finalizers!.includes(JOB_TRACKING_FINALIZER));
      assert.match(list[0].metadata!.name!, /^done-[a-z0-9]{5}$/);
      await markPod(h.client, list[0], { phase: 'Succeeded', ready: false });
      finished++;
    }
    const complete = await h.eventually(() => condition('done', 'Complete'));
    assert.equal(complete.status, 'True');
    assert.equal(complete.reason, 'CompletionsReached');
    assert.equal((await condition('done', 'SuccessCriteriaMet'))?.status, 'True');
    const st = (await jobs.get('done')).status;
    assert.equal(st.succeeded, 5);
    assert.equal(st.failed ?? 0, 0);
    assert.equal(st.active, 0);
    assert.ok(st.startTime && st.completionTime);
    assert.deepEqual(st.uncountedTerminatedPods, {});
    assert.ok(maxActive.get('done')! <= 2);
    // Counted pods lose the tracking finalizer.
    await h.eventually(async () =>
      (await podsOf('done')).every((p) => !(p.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER)),
    );
  });

  it('fails at backoffLimit with BackoffLimitExceeded, backing off between pods', async () => {
    await jobs.create(jobOf('fail', { backoffLimit: 1 }));
    const seen = new Set<string>();
    const failedAt: number[] = [];
    for (let i = 0; i < 2; i++) {
      const [p] = await h.eventually(async () => {
        const l = (await running('fail')).filter((x) => !seen.has(x.metadata!.uid!));
        return l.length === 1 && l;
      });
      if (failedAt.length) assert.ok(Date.now() - failedAt[0] >= TEST_BACKOFF_MS - 20, 'backed off');
      seen.add(p.metadata!.uid!);
      await markPod(h.client, p, { phase: 'Failed', ready: false });
      failedAt.push(Date.now());
    }
    const failed = await h.eventually(() => condition('fail', 'Failed'));
    assert.equal(failed.reason, 'BackoffLimitExceeded');
    assert.equal(failed.message, 'Job has reached the specified backoff limit');
    assert.equal((await condition('fail', 'FailureTarget'))?.status, 'True');
    const st = (await jobs.get('fail')).status;
    assert.equal(st.failed, 2);
    assert.equal(st.completionTime, undefined);
    assert.equal((await running('fail')).length, 0);
  });

  it('gives Indexed pods their index, hostname and env, and tracks completedIndexes', async () => {
    await jobs.create(jobOf('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
    const list = await h.eventually(async () => {
      const l = await running('idx');
      return l.length === 3 && l;
    });
    const byIndex = new Map(
      list.map((p) => [p.metadata!.annotations!['batch.kubernetes.io/job-completion-index'], p]),
    );
    assert.deepEqual([...byIndex.keys()].sort(), ['0', '1', '2']);
    const p1 = byIndex.get('1')!;
    assert.match(p1.metadata!.name!, /^idx-1-[a-z0-9]{5}$/);
    assert.equal(p1.spec.hostname, 'idx-1');
    assert.equal(p1.metadata!.labels!['batch.kubernetes.io/job-completion-index'], '1');
    assert.equal(p1.spec.containers[0].env[0].name, 'JOB_COMPLETION_INDEX');
    await markPod(h.client, p1, { phase: 'Succeeded', ready: false });
    await h.eventually(async () => (await jobs.get('idx')).status?.completedIndexes === '1');
    // A failed index is re-run under the same index.
    await markPod(h.client, byIndex.get('0')!, { phase: 'Failed', ready: false });
    const again = await h.eventually(async () =>
      (await running('idx')).find(
        (p) =>
          p.metadata!.annotations!['batch.kubernetes.io/job-completion-index'] === '0' &&
          p.metadata!.uid !== byIndex.get('0')!.metadata!.uid,
      ),
    );
    await markPod(h.client, again, { phase: 'Succeeded', ready: false });
    await markPod(h.client, byIndex.get('2')!, { phase: 'Succeeded', ready: false });
    await h.eventually(() => condition('idx', 'Complete'));
    const st = (await jobs.get('idx')).status;
    assert.equal(st.completedIndexes, '0-2');
    assert.equal(st.succeeded, 3);
    assert.equal(st.failed, 1);
  });

  it('fails with DeadlineExceeded past activeDeadlineSeconds and deletes its pods', async () => {
    await jobs.create(jobOf('late', { activeDeadlineSeconds: 1, parallelism: 2, completions: 4 }));
    // Not waiting to see both pods run: on a loaded machine the 1 s deadline can pass first.
    const failed = await h.eventually(() => condition('late', 'Failed'));
    assert.equal(failed.reason, 'DeadlineExceeded');
    assert.equal(failed.message, 'Job was active longer than specified deadline');
    assert.equal((await running('late')).length, 0);
  });

  it('suspends (deleting pods, Suspended condition) and resumes', async () => {
    await jobs.create(jobOf('sus', { parallelism: 2, completions: 2 }));
    await h.eventually(async () => (await running('sus')).length === 2);
    await jobs.patch('sus', 'merge', { spec: { suspend: true } });
    const c = await h.eventually(() => condition('sus', 'Suspended'));
    assert.equal(c.status, 'True');
    assert.equal(c.reason, 'JobSuspended');
    await h.eventually(async () => (await running('sus')).length === 0);
    await h.eventually(async () => (await jobs.get('sus')).status?.active === 0);
    await jobs.patch('sus', 'merge', { spec: { suspend: false } });
    await h.eventually(async () => (await condition('sus', 'Suspended'))?.reason === 'JobResumed');
    await h.eventually(async () => (await running('sus')).length === 2);
  });

  it('deletes a finished Job after ttlSecondsAfterFinished', async () => {
    await jobs.create(jobOf('ttl', { ttlSecondsAfterFinished: 1 }));
    const [p] = await h.eventually(async () => {
      const l = await running('ttl');
      return l.length === 1 && l;
    });
    await markPod(h.client, p, { phase: 'Succeeded', ready: false });
    await h.eventually(() => condition('ttl', 'Complete'));
    // Foreground deletion: without a garbage collector here the Job stays, marked for deletion.
    await h.eventually(async () => {
      try {
        return !!(await jobs.get('ttl')).metadata?.deletionTimestamp;
      } catch (err) {
        return isNotFound(err);
      }
    }, 5_000);
  });

  it('releases the tracking finalizer of pods whose Job was deleted', async () => {
    await jobs.create(jobOf('gone', { parallelism: 2, completions: 2 }));
    const list = await h.eventually(async () => {
      const l = await running('gone');
      return l.length === 2 && l;
    });
    await jobs.delete('gone', { propagationPolicy: 'Background' });
    for (const p of list) {
      await h.eventually(async () => !(await pods.get(p.metadata!.name!)).metadata?.finalizers?.length);
    }
  });

  it('follows the pod failure policy: Ignore does not count, FailJob fails at once', async () => {
    const podFailurePolicy = {
      rules: [
        { action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } },
        { action: 'Ignore', onExitCodes: { operator: 'In', values: [137] } },
      ],
    };
    await jobs.create(jobOf('policy', { backoffLimit: 5, podFailurePolicy }));
    const exit = async (p: KObject, exitCode: number) => {
      const fresh = await pods.get(p.metadata!.name!);
      await pods.updateStatus({
        ...fresh,
        status: {
          phase: 'Failed',
          containerStatuses: [
            {
              name: 'c',
              image: 'busybox',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: { terminated: { exitCode, reason: 'Error' } },
            },
          ],
        },
      });
    };
    const first = await h.eventually(async () => (await running('policy'))[0]);
    await exit(first, 137);
    // Ignored: replaced at once (no back-off, nothing counted).
    const second = await h.eventually(async () =>
      (await running('policy')).find((p) => p.metadata!.uid !== first.metadata!.uid),
    );
    assert.equal((await jobs.get('policy')).status?.failed ?? 0, 0);
    await exit(second, 42);
    const failed = await h.eventually(() => condition('policy', 'Failed'));
    assert.equal(failed.reason, 'PodFailurePolicy');
    assert.match(
      failed.message ?? '',
      /^Container c for pod default\/policy-[a-z0-9]{5} failed with exit code 42 matching FailJob rule at index 0$/,
    );
    assert.equal((await jobs.get('policy')).status.failed, 1);
  });
});
