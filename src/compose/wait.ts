// `skiff compose up --wait`: poll every workload of the project until each is up (readiness.ts)
// or one fails, reporting each service once when its state changes.
import type { KObject } from '../api/object.ts';
import type { RestClient } from '../client/index.ts';
import { refOf } from '../client/index.ts';
import { kindOf } from './apply.ts';
import { type ServiceState, workloadReadiness } from './readiness.ts';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);
const POLL_MS = 500;

export interface WaitReport {
  kind: string;
  name: string;
  state: ServiceState;
  message: string;
}

export class WaitFailedError extends Error {
  readonly reports: WaitReport[];
  constructor(message: string, reports: WaitReport[]) {
    super(message);
    this.name = 'WaitFailedError';
    this.reports = reports;
  }
}

export async function waitForProject(
  client: RestClient,
  objects: readonly KObject[],
  o: { namespace: string; timeoutMs: number; onChange?: (r: WaitReport) => void },
): Promise<WaitReport[]> {
  const workloads = objects.filter((obj) => WORKLOAD_KINDS.has(obj.kind as string));
  const last = new Map<string, ServiceState>();
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const reports: WaitReport[] = [];
    for (const w of workloads) {
      const def = kindOf(w.apiVersion as string, w.kind as string);
      const live = await client.resource(refOf(def), o.namespace).get(w.metadata?.name as string);
      const r = { kind: def.kind, name: w.metadata?.name as string, ...workloadReadiness(live) };
      reports.push(r);
      const key = `${r.kind}/${r.name}`;
      if (last.get(key) !== r.state) {
        last.set(key, r.state);
        o.onChange?.(r);
      }
    }
    const failed = reports.filter((r) => r.state === 'failed');
    if (failed.length)
      throw new WaitFailedError(
        failed.map((r) => `${r.kind.toLowerCase()}/${r.name}: ${r.message}`).join('; '),
        reports,
      );
    if (reports.every((r) => r.state === 'ready')) return reports;
    if (Date.now() > deadline) {
      const pending = reports.filter((r) => r.state !== 'ready');
      throw new WaitFailedError(
        `timed out: ${pending.map((r) => `${r.kind.toLowerCase()}/${r.name}: ${r.message}`).join('; ')}`,
        reports,
      );
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
