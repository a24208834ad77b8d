import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { messageForKind, protobufKinds } from './kinds.ts';
import { allMessages, lookupMessage, PACKAGES } from './registry.ts';

describe('protobuf tables', () => {
  it('resolve every type reference and keep field numbers and JSON names unique', () => {
    // The registry validates on load; reaching here means it did. Spot-check the linking.
    const pod = lookupMessage('core.Pod');
    assert.ok(pod);
    const spec = pod.byNumber.get(2);
    assert.ok(spec && spec.kind === 'message' && spec.message.name === 'core.PodSpec');
    let count = 0;
    for (const msg of allMessages()) {
      count++;
      const numbers = msg.fields.map((f) => f.num);
      assert.equal(new Set(numbers).size, numbers.length, msg.name);
      assert.ok(
        numbers.every((n) => Number.isInteger(n) && n > 0 && n < 2 ** 29),
        msg.name,
      );
    }
    assert.equal(
      count,
      Object.values(PACKAGES).reduce((n, t) => n + Object.keys(t).length, 0),
    );
  });

  it('flatten inline members into the parent JSON (Probe, Volume, ConfigMapKeySelector)', () => {
    assert.ok(lookupMessage('core.Probe')?.jsonKeys.has('httpGet'));
    assert.ok(lookupMessage('core.Volume')?.jsonKeys.has('configMap'));
    assert.ok(lookupMessage('core.ConfigMapKeySelector')?.jsonKeys.has('name'));
    assert.ok(lookupMessage('core.PersistentVolumeSpec')?.jsonKeys.has('hostPath'));
  });

  it('register DeleteOptions in every group version and Status as v1', () => {
    for (const apiVersion of ['v1', 'apps/v1', 'batch/v1', 'policy/v1', 'meta.k8s.io/v1']) {
      assert.equal(messageForKind(apiVersion, 'DeleteOptions')?.name, 'meta.DeleteOptions', apiVersion);
    }
    assert.equal(messageForKind('v1', 'Status')?.name, 'meta.Status');
    assert.equal(messageForKind('apps/v1', 'Pod'), undefined);
    assert.equal(messageForKind('v1', 'PodList'), undefined);
    assert.ok(protobufKinds().some(([v, k]) => v === 'events.k8s.io/v1' && k === 'Event'));
  });
});
