import { storageConformance } from '../testsuite/conformance.ts';
import { openMemoryBackend } from './memory-backend.ts';

storageConformance('memory', async () => {
  const backend = openMemoryBackend();
  return { backend, cleanup: () => backend.close() };
});
