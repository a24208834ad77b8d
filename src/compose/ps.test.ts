import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPs, humanDuration, psRows } from './ps.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

const pod = (name: string, service: string, containerStatus: object, probe = false) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, creationTimestamp: ago(120), labels: { 'skiff.dev/compose-service': service } },
  spec: {
    containers: [
      {
        name: service,
        image: `${service}:1`,
        ...(probe ? { readinessProbe: {} } : {}),
        ports: service === 'web' ? [{ containerPort: 80, hostPort: 8080 }] : [],
      },
    ],
  },
  status: { phase: 'Running', containerStatuses: [{ name: service, ...containerStatus }] },
});

test('rows read like docker compose ps: health from readiness, exits with their code, ports', () => {
  const rows = psRows(
    [
      pod('web-abc', 'web', { ready: true, state: { running: { startedAt: ago(90) } } }, true),
      pod('cache-0', 'cache', { ready: false, state: { running: { startedAt: ago(5) } } }, true),
      pod('migrate-x', 'migrate', { state: { terminated: { exitCode: 0, finishedAt: ago(30) } } }),
      pod('bad-1', 'bad', { restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }),
    ],
    [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', labels: { 'skiff.dev/compose-service': 'web' } },
        spec: { ports: [{ port: 80, targetPort: 80, nodePort: 30080, protocol: 'TCP' }] },
      },
    ],
    NOW,
  );
  assert.deepEqual(
    rows.map((r) => [r.name, r.service, r.status, r.ports]),
    [
      ['bad-1', 'bad', 'Restarting (3)', ''],
      ['cache-0', 'cache', 'Up 5 seconds (unhealthy)', ''],
      ['migrate-x', 'migrate', 'Exited (0) 30 seconds ago', ''],
      ['web-abc', 'web', 'Up 2 minutes (healthy)', '0.0.0.0:8080->80/tcp, 0.0.0.0:30080->80/tcp'],
    ],
  );
  const table = formatPs(rows).split('\n');
  assert.deepEqual(table[0].split(/ {3,}/), ['NAME', 'IMAGE', 'SERVICE', 'CREATED', 'STATUS', 'PORTS']);
  assert.equal(table[0].indexOf('PORTS'), table[4].indexOf('0.0.0.0:8080'));
  assert.equal(table[0].indexOf('STATUS'), table[1].indexOf('Restarting'));
});

test('durations in docker wording', () => {
  assert.equal(humanDuration(400), 'Less than a second');
  assert.equal(humanDuration(61_000), 'About a minute');
  assert.equal(humanDuration(3 * 3600_000), '3 hours');
  assert.equal(humanDuration(72 * 3600_000), '3 days');
});
