// Shared fixtures for the agent's unit tests.
import type { NodeFacts } from './node-object.ts';

export const FACTS: NodeFacts = {
  hostname: 'box',
  internalIP: '192.0.2.10',
  cpus: 2,
  memoryBytes: 4 * 1024 ** 3,
  memoryAvailableBytes: 2 * 1024 ** 3,
  diskBytes: 100 * 1024 ** 3,
  diskAvailableBytes: 50 * 1024 ** 3,
  bootId: 'boot-1',
  machineId: 'm1',
  kernelVersion: '6.1.0',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  architecture: 'amd64',
  runtimeVersion: 'runc://1.1.5',
};
