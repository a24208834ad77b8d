// Refresh the kubectl 1.32 fixture: node_modules/.bin/node src/api/protobuf/testing/capture.ts
// Talks only to a stub on 127.0.0.1; writes testing/kubectl-1.32.fixture.json.
import { writeFile } from 'node:fs/promises';
import { captureKubectlWrites } from './kubectl-capture.ts';

const FIXTURE = new URL('./kubectl-1.32.fixture.json', import.meta.url);

const writes = await captureKubectlWrites();
await writeFile(FIXTURE, `${JSON.stringify(writes, null, 2)}\n`);
console.log(`wrote ${writes.length} requests to ${FIXTURE.pathname}`);
