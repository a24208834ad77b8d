// csrsigning (upstream pkg/controller/certificates/signer): signs approved CSRs for the
// kubernetes.io signers this cluster's CA serves — kubelet client, kube-apiserver client, kubelet
// serving — after checking the request fits its signer; a request that does not gets a Failed
// condition (SignerValidationFailure) instead of a certificate. Other signer names are left for
// whoever serves them.
//
//   csr informer ─► queue(name) ─► approved, not failed, unsigned, our signer?
//        ─► parse + validate ─┬─ ok  ─► sign ─► PUT /status (status.certificate)
//                             └─ bad ─► PUT /status (Failed condition)

import type { KObject } from '../../api/object.ts';
import { isNotFound, type SharedInformer } from '../../client/index.ts';
import { runWorkers, WorkQueue } from '../../util/workqueue.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../types.ts';
import {
  CONDITION_FAILED,
  CSRS,
  isApproved,
  isFailed,
  type ParsedRequest,
  parseCsrRequest,
  SIGNER_APISERVER_CLIENT,
  SIGNER_KUBELET_CLIENT,
  SIGNER_KUBELET_SERVING,
} from './csr.ts';
import { idleController } from './idle.ts';
import {
  validateApiServerClientUsages,
  validateKubeletClientCsr,
  validateKubeletServingCsr,
} from './kubelet-client.ts';
import { DEFAULT_SIGNING_TTL_MS, type SigningCa, signingDuration, signRequest } from './sign.ts';

export const CSR_SIGNING_CONTROLLER = 'csrsigning';
export const REASON_SIGNER_VALIDATION_FAILURE = 'SignerValidationFailure';

type Validator = (req: ParsedRequest, usages: readonly string[]) => string | undefined;
const VALIDATORS: Record<string, Validator> = {
  [SIGNER_KUBELET_CLIENT]: validateKubeletClientCsr,
  [SIGNER_APISERVER_CLIENT]: (_req, usages) => validateApiServerClientUsages(usages),
  [SIGNER_KUBELET_SERVING]: validateKubeletServingCsr,
};

export class CsrSigningController implements Controller {
  readonly name = CSR_SIGNING_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #ca: SigningCa;
  readonly #ttlMs: number;
  readonly #queue: WorkQueue<string>;
  readonly #csrs: SharedInformer;

  constructor(ctx: ControllerContext, ca: SigningCa, ttlMs = DEFAULT_SIGNING_TTL_MS) {
    this.#ctx = ctx;
    this.#ca = ca;
    this.#ttlMs = ttlMs;
    this.#queue = new WorkQueue<string>({ clock: ctx.clock });
    this.#csrs = ctx.informers.informerFor(CSRS);
    const enqueue = (csr: KObject): void => this.#queue.add(csr.metadata!.name!);
    this.#csrs.addEventHandler({ onAdd: enqueue, onUpdate: (_o, csr) => enqueue(csr) });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.#csrs.waitForSync(signal))) return;
    signal.addEventListener('abort', () => this.#queue.shutDown(), { once: true });
    if (signal.aborted) this.#queue.shutDown();
    await runWorkers(this.#queue, this.#ctx.options.workers, (name) => this.reconcile(name), {
      onError: (name, err) => this.#ctx.log.warn('sign csr', { csr: name, error: (err as Error).message }),
    });
  }

  async reconcile(name: string): Promise<void> {
    const cached = this.#csrs.lister.get(name);
    if (!cached || !isApproved(cached) || isFailed(cached) || cached.status?.certificate) return;
    const signerName = cached.spec?.signerName as string | undefined;
    const validate = signerName ? VALIDATORS[signerName] : undefined;
    if (!validate) return;
    const req = await parseCsrRequest(String(cached.spec?.request ?? ''));
    const usages = (cached.spec?.usages as string[] | undefined) ?? [];
    const csr = structuredClone(cached) as KObject;
    csr.status ??= {};
    const problem = validate(req, usages);
    if (problem) {
      const now = new Date(this.#ctx.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
      csr.status.conditions = [
        ...(csr.status.conditions ?? []),
        {
          type: CONDITION_FAILED,
          status: 'True',
          reason: REASON_SIGNER_VALIDATION_FAILURE,
          message: problem,
          lastUpdateTime: now,
          lastTransitionTime: now,
        },
      ];
    } else {
      const lifetime = signingDuration(cached.spec?.expirationSeconds as number | undefined, this.#ttlMs);
      const pem = await signRequest(this.#ca, req, usages, lifetime, this.#ctx.clock.now());
      csr.status.certificate = Buffer.from(pem).toString('base64');
    }
    try {
      await this.#ctx.client.resource(CSRS).updateStatus(csr);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }
}

export const csrSigningControllerFactory: ControllerFactory = (ctx) =>
  ctx.clusterSigning
    ? new CsrSigningController(ctx, ctx.clusterSigning)
    : idleController(ctx, CSR_SIGNING_CONTROLLER, 'no cluster signing CA configured; CSRs are not signed');
