// The child-process side of issuer.ts: runs certs.ts for each request and answers over IPC with
// the PEM pair; exits when the parent closes the channel.
import { createCa, issueLeaf, type KeyPairPem, type LeafSpec } from './certs.ts';
import type { IssuerReply, IssuerRequest } from './issuer.ts';

const send = process.send?.bind(process);
if (!send) throw new Error('issuer-worker.ts runs only as a child process with IPC (see issuer.ts)');

process.on('message', (req: IssuerRequest) => {
  const run: Promise<KeyPairPem> =
    req.fn === 'createCa'
      ? createCa(req.args[0] as string)
      : issueLeaf(req.args[0] as KeyPairPem, req.args[1] as LeafSpec);
  run.then(
    (result) => send({ id: req.id, result } satisfies IssuerReply),
    (err: unknown) =>
      send({ id: req.id, error: err instanceof Error ? err.message : String(err) } satisfies IssuerReply),
  );
});
process.on('disconnect', () => process.exit(0));
