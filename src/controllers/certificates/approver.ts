// csrapproving (upstream pkg/controller/certificates/approver, sarapprove.go): approves kubelet
// client CSRs whose requester is allowed, by a SubjectAccessReview, to create
// `certificatesigningrequests/selfnodeclient` (a node renewing its own certificate) or
// `certificatesigningrequests/nodeclient` (a bootstrap token asking for a node identity). Anything
// else is left for a human (`kubectl certificate approve`) — except kubelet serving CSRs, which
// skiff approves (or denies) when the requesting node owns what it asks for (serving-approval.ts).
//
//   csr informer ─► queue(name) ─► unsigned, undecided? ─┬─ kubelet-serving ─► node + addresses check
//   node informer (added / addresses changed) ─► its CSRs │                    ─► PUT /approval
//                                                         └─ recognizers ─► SAR ─► PUT /approval

import type { KObject } from '../../api/object.ts';
import { isNotFound, NODES, type ResourceRef, type SharedInformer } from '../../client/index.ts';
import { runWorkers, WorkQueue } from '../../util/workqueue.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../types.ts';
import {
  CONDITION_APPROVED,
  CONDITION_DENIED,
  CSRS,
  isApproved,
  isDenied,
  type ParsedRequest,
  parseCsrRequest,
  SIGNER_KUBELET_CLIENT,
} from './csr.ts';
import { validateKubeletClientCsr } from './kubelet-client.ts';
import {
  decideKubeletServing,
  isKubeletServingCsr,
  REASON_AUTO_DENIED,
  requesterNodeName,
} from './serving-approval.ts';

export const CSR_APPROVING_CONTROLLER = 'csrapproving';
export const REASON_AUTO_APPROVED = 'AutoApproved';
export const APPROVAL_SUBRESOURCE = 'approval';
const CERTIFICATES_GROUP = 'certificates.k8s.io';

const SUBJECT_ACCESS_REVIEWS: ResourceRef = {
  group: 'authorization.k8s.io',
  version: 'v1',
  resource: 'subjectaccessreviews',
  namespaced: false,
  kind: 'SubjectAccessReview',
};

interface Recognizer {
  recognize(csr: KObject, req: ParsedRequest): boolean;
  subresource: string;
  message: string;
}

const isNodeClientCert = (csr: KObject, req: ParsedRequest): boolean =>
  csr.spec?.signerName === SIGNER_KUBELET_CLIENT &&
  validateKubeletClientCsr(req, (csr.spec?.usages as string[] | undefined) ?? []) === undefined;

/** Most specific first, as upstream. */
export const RECOGNIZERS: readonly Recognizer[] = [
  {
    recognize: (csr, req) => isNodeClientCert(csr, req) && csr.spec?.username === req.commonName,
    subresource: 'selfnodeclient',
    message: 'Auto approving self kubelet client certificate after SubjectAccessReview.',
  },
  {
    recognize: isNodeClientCert,
    subresource: 'nodeclient',
    message: 'Auto approving kubelet client certificate after SubjectAccessReview.',
  },
];

export class CsrApprovingController implements Controller {
  readonly name = CSR_APPROVING_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #queue: WorkQueue<string>;
  readonly #csrs: SharedInformer;
  readonly #nodes: SharedInformer;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#queue = new WorkQueue<string>({ clock: ctx.clock });
    this.#csrs = ctx.informers.informerFor(CSRS);
    this.#nodes = ctx.informers.informerFor(NODES);
    const enqueue = (csr: KObject): void => this.#queue.add(csr.metadata!.name!);
    this.#csrs.addEventHandler({ onAdd: enqueue, onUpdate: (_o, csr) => enqueue(csr) });
    // A serving CSR left pending for want of its Node or address is looked at again when those
    // appear; status heartbeats that change no address do not touch the queue.
    this.#nodes.addEventHandler({
      onAdd: (n) => this.#enqueueServingFor(n),
      onUpdate: (old, n) => {
        if (JSON.stringify(old.status?.addresses) !== JSON.stringify(n.status?.addresses))
          this.#enqueueServingFor(n);
      },
    });
  }

  #enqueueServingFor(node: KObject): void {
    const name = node.metadata?.name;
    for (const csr of this.#csrs.lister.list())
      if (isKubeletServingCsr(csr) && requesterNodeName(csr) === name && !csr.status?.conditions?.length)
        this.#queue.add(csr.metadata!.name!);
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.#csrs.waitForSync(signal)) || !(await this.#nodes.waitForSync(signal))) return;
    signal.addEventListener('abort', () => this.#queue.shutDown(), { once: true });
    if (signal.aborted) this.#queue.shutDown();
    await runWorkers(this.#queue, this.#ctx.options.workers, (name) => this.reconcile(name), {
      onError: (name, err) => this.#ctx.log.info('approve csr', { csr: name, error: (err as Error).message }),
    });
  }

  async reconcile(name: string): Promise<void> {
    const cached = this.#csrs.lister.get(name);
    if (!cached || cached.status?.certificate || isApproved(cached) || isDenied(cached)) return;
    const req = await parseCsrRequest(String(cached.spec?.request ?? ''));
    if (isKubeletServingCsr(cached)) return this.#decideServing(cached, req);
    const tried: string[] = [];
    for (const r of RECOGNIZERS) {
      if (!r.recognize(cached, req)) continue;
      tried.push(r.subresource);
      if (!(await this.#authorized(cached, r.subresource))) continue;
      return this.#writeDecision(cached, CONDITION_APPROVED, REASON_AUTO_APPROVED, r.message);
    }
    // Retried with backoff: RBAC may grant the permission later (upstream's IgnorableError).
    if (tried.length)
      throw new Error(
        `recognized csr "${name}" as [${tried.join(' ')}] but subject access review was not approved`,
      );
  }

  async #decideServing(cached: KObject, req: ParsedRequest): Promise<void> {
    const nodeName = requesterNodeName(cached);
    const node = nodeName ? this.#nodes.lister.get(nodeName) : undefined;
    const d = decideKubeletServing(cached, req, node);
    if (d.kind === 'approve')
      return this.#writeDecision(cached, CONDITION_APPROVED, REASON_AUTO_APPROVED, d.message);
    if (d.kind === 'deny')
      return this.#writeDecision(cached, CONDITION_DENIED, REASON_AUTO_DENIED, d.message);
    // Pending: a human decides, or a Node change brings it back (see the node handler).
    this.#ctx.log.debug('kubelet serving csr left pending', { csr: cached.metadata?.name, why: d.why });
  }

  async #writeDecision(cached: KObject, type: string, reason: string, message: string): Promise<void> {
    const name = cached.metadata!.name!;
    const csr = structuredClone(cached) as KObject;
    const now = new Date(this.#ctx.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    csr.status = {
      ...(csr.status ?? {}),
      conditions: [
        ...(csr.status?.conditions ?? []),
        { type, status: 'True', reason, message, lastUpdateTime: now, lastTransitionTime: now },
      ],
    };
    try {
      await this.#ctx.client.resource(CSRS).updateSubresource(name, APPROVAL_SUBRESOURCE, csr);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async #authorized(csr: KObject, subresource: string): Promise<boolean> {
    const spec = csr.spec ?? {};
    const review = await this.#ctx.client.resource(SUBJECT_ACCESS_REVIEWS).create({
      spec: {
        user: spec.username,
        uid: spec.uid,
        groups: spec.groups,
        extra: spec.extra,
        resourceAttributes: {
          group: CERTIFICATES_GROUP,
          resource: 'certificatesigningrequests',
          verb: 'create',
          subresource,
          version: '*',
        },
      },
    } as KObject);
    return review.status?.allowed === true;
  }
}

export const csrApprovingControllerFactory: ControllerFactory = (ctx) => new CsrApprovingController(ctx);
