import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { isoMillis, microTime, rfc3339 } from './time-format.ts';

test('isoMillis writes what Date#toISOString writes', () => {
  const fixed = [
    0, -1, 1, 951_782_400_000, 951_868_799_999, 4_107_542_400_000, -62_167_219_200_000, 253_402_300_799_999,
  ];
  // Deterministic spread over years 0000–9999, plus leap days and month ends around now.
  let x = 12345;
  const random = Array.from({ length: 20_000 }, () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return Math.floor((x / 2 ** 31) * (253_402_300_799_999 + 62_167_219_200_000)) - 62_167_219_200_000;
  });
  for (const ms of [...fixed, ...random]) assert.equal(isoMillis(ms), new Date(ms).toISOString(), String(ms));
  // Outside four-digit years it defers to Date (±YYYYYY form).
  assert.equal(isoMillis(253_402_300_800_000), '+010000-01-01T00:00:00.000Z');
  assert.equal(isoMillis(1.5), new Date(1.5).toISOString());
  assert.equal(isoMillis(-1.5), new Date(-1.5).toISOString());
});

test('rfc3339 and microTime are the metav1 forms', () => {
  const ms = Date.UTC(2026, 10, 25, 1, 2, 3, 456);
  assert.equal(rfc3339(ms), '2026-11-25T01:02:03Z');
  assert.equal(microTime(ms), '2026-11-25T01:02:03.456000Z');
});

test('formatting touches no Date: ICU time-zone data stays unloaded', () => {
  // Date#toISOString initialises V8's zone cache; our formatter must not. Observed through the
  // resident ICU pages would need pagemap; a Date.prototype trap shows the same thing simply.
  const script = `
    const { isoMillis } = await import(${JSON.stringify(import.meta.resolve('./time-format.ts'))});
    let used = false;
    for (const k of ['toISOString', 'toJSON', 'getUTCFullYear']) {
      const o = Date.prototype[k];
      Date.prototype[k] = function (...a) { used = true; return o.apply(this, a); };
    }
    isoMillis(Date.now());
    console.log(used);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'false');
});
