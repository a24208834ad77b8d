import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KObject } from '../../api/object.ts';
import type { ResourceClient } from '../../client/index.ts';
import { FakeClock } from '../../util/clock.ts';
import { CRONJOBS, JOBS } from '../common/resources.ts';
import { startWorkloadHarness, type WorkloadHarness } from '../common/test-harness.ts';
import { toTimestamp } from '../common/time.ts';
import { cronJobControllerFactory } from './controller.ts';

const MINUTE = 60_000;

const cronJobOf = (name: string, spec: KObject = {}): KObject => ({
  metadata: { name },
  spec: {
    schedule: '*/1 * * * *',
    jobTemplate: {
      metadata: { labels: { cron: name } },
      spec: {
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
      },
    },
    ...spec,
  },
});

describe('cronjob controller', () => {
  let h: WorkloadHarness;
  let clock: FakeClock;
  let jobs: ResourceClient;
  let cronJobs: ResourceClient;
  before(async () => {
    // The API server stamps creationTimestamp from the real clock: start the fake one there.
    clock = new FakeClock(Date.now());
    h = await startWorkloadHarness([cronJobControllerFactory], { clock });
    jobs = h.client.resource(JOBS, 'default');
    cronJobs = h.client.resource(CRONJOBS, 'default');
  });
  after(() => h.stop());

  const jobsOf = async (cj: string) =>
    (await jobs.list({ labelSelector: `cron=${cj}` })).items.filter((j) => !j.metadata?.deletionTimestamp);
  /** Moves the fake clock to just past the next whole minute (when `*\/1` fires). */
  const nextMinute = (): number => {
    const target = (Math.floor(clock.now() / MINUTE) + 1) * MINUTE;
    clock.advance(target - clock.now() + 1_000);
    return target;
  };
  const finish = async (job: KObject, type: 'Complete' | 'Failed') => {
    const at = toTimestamp(clock.now());
    const fresh = await jobs.get(job.metadata!.name!);
    const criteria = type === 'Complete' ? 'SuccessCriteriaMet' : 'FailureTarget';
    await jobs.updateStatus({
      ...fresh,
      status: {
        startTime: at,
        ...(type === 'Complete' ? { completionTime: at, succeeded: 1 } : { failed: 1 }),
        conditions: [
          { type: criteria, status: 'True', lastTransitionTime: at },
          { type, status: 'True', lastTransitionTime: at },
        ],
      },
    });
  };

  it('creates a Job every minute, named for the minute, and prunes the history', async () => {
    const cj = await cronJobs.create(cronJobOf('tick', { successfulJobsHistoryLimit: 2 }));
    const names: string[] = [];
    for (let i = 0; i < 5; i++) {
      const target = nextMinute();
      const want = `tick-${target / MINUTE}`;
      const job = await h.eventually(async () =>
        (await jobsOf('tick')).find((j) => j.metadata!.name === want),
      );
      names.push(want);
      assert.equal(
        job.metadata!.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp'],
        toTimestamp(target),
      );
      assert.equal(job.metadata!.ownerReferences![0].uid, cj.metadata!.uid);
      assert.equal(job.metadata!.ownerReferences![0].kind, 'CronJob');
      const st = await h.eventually(async () => {
        const s = (await cronJobs.get('tick')).status;
        return s?.lastScheduleTime === toTimestamp(target) && s;
      });
      assert.deepEqual(
        st.active.map((a: KObject) => a.name),
        [want],
      );
      await finish(job, 'Complete');
      await h.eventually(async () => !(await cronJobs.get('tick')).status?.active);
    }
    // Five ran; the two newest successful ones are kept.
    const left = await h.eventually(async () => {
      const l = (await jobsOf('tick')).map((j) => j.metadata!.name!).sort();
      return l.length === 2 && l;
    });
    assert.deepEqual(left, names.slice(3).sort());
    assert.ok((await cronJobs.get('tick')).status.lastSuccessfulTime);
  });

  it('Forbid skips a run while one is active; Replace deletes the active one', async () => {
    await cronJobs.create(cronJobOf('forbid', { concurrencyPolicy: 'Forbid' }));
    await cronJobs.create(cronJobOf('replace', { concurrencyPolicy: 'Replace' }));
    // The fake clock ran ahead of the API server's creationTimestamp: a start time is already due.
    const [first] = await h.eventually(async () => {
      const l = await jobsOf('forbid');
      return l.length === 1 && (await jobsOf('replace')).length === 1 && l;
    });
    const second = nextMinute();
    const replaced = await h.eventually(async () => {
      const l = await jobsOf('replace');
      return l.length === 1 && l[0].metadata!.name === `replace-${second / MINUTE}` && l;
    });
    assert.ok(replaced);
    const forbid = await jobsOf('forbid');
    assert.deepEqual(
      forbid.map((j) => j.metadata!.name),
      [first.metadata!.name],
    );
    // Once the active run finishes, the next start time runs again.
    await finish(forbid[0], 'Failed');
    const third = nextMinute();
    await h.eventually(async () =>
      (await jobsOf('forbid')).some((j) => j.metadata!.name === `forbid-${third / MINUTE}`),
    );
  });

  it('creates nothing while suspended or past startingDeadlineSeconds', async () => {
    await cronJobs.create(cronJobOf('sus', { suspend: true }));
    nextMinute();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await jobsOf('sus')).length, 0);
    // Resume 40 s after the missed minute with a 10 s deadline: that start time is missed.
    const missed = (Math.floor(clock.now() / MINUTE) + 1) * MINUTE;
    clock.advance(missed + 40_000 - clock.now());
    await cronJobs.patch('sus', 'merge', { spec: { suspend: false, startingDeadlineSeconds: 10 } });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await jobsOf('sus')).length, 0);
    const next = nextMinute();
    await h.eventually(async () =>
      (await jobsOf('sus')).some((j) => j.metadata!.name === `sus-${next / MINUTE}`),
    );
  });

  it('stamps the scheduled time in the CronJob time zone', async () => {
    await cronJobs.create(cronJobOf('zoned', { timeZone: 'Asia/Kolkata' }));
    const target = nextMinute();
    const job = await h.eventually(async () => (await jobsOf('zoned'))[0]);
    const stamp = job.metadata!.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp'];
    assert.match(stamp, /\+05:30$/);
    assert.equal(Date.parse(stamp), target);
  });
});
