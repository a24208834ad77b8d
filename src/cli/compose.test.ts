// `skiff compose convert` end to end in-process: YAML on stdout, warnings on stderr, --strict.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { type ComposeConvertFlags, runConvert } from './compose.ts';

const FIXTURES = join(import.meta.dirname, '../compose/fixtures');
// Each test file runs in its own process: colour must follow the stream, whatever the runner's env.
delete process.env.FORCE_COLOR;
delete process.env.NO_COLOR;

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += chunk;
      done();
    },
  });
  return { stream, text: () => text };
}

async function convert(flags: Partial<ComposeConvertFlags>) {
  const out = sink();
  const err = sink();
  const code = await runConvert({ file: [], profile: [], envFile: [], ...flags }, out.stream, err.stream);
  return { code, stdout: out.text(), stderr: err.text() };
}

test('prints the objects as YAML documents, Namespace first, warnings on stderr', async () => {
  const r = await convert({ file: [join(FIXTURES, 'every-key.yaml')], profile: ['*'], namespace: 'skiff-x' });
  assert.equal(r.code, 0, r.stderr);
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
  assert.equal(docs[0].kind, 'Namespace');
  assert.equal(docs[0].metadata.name, 'skiff-x');
  assert.ok(docs.some((d) => d.kind === 'StatefulSet' && d.metadata.name === 'app'));
  assert.match(
    r.stderr,
    /warning: service "app": build: images are not built: build the image and use `skiff image import`/,
  );
});

test('--strict turns warnings into errors and prints no objects', async () => {
  const r = await convert({ file: [join(FIXTURES, 'every-key.yaml')], profile: ['*'], strict: true });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /error: service "app": container_name:/);
  assert.match(r.stderr, /cannot be mapped \(--strict\)/);
});

test('--strict passes a file that maps cleanly', async () => {
  const r = await convert({ projectDirectory: join(FIXTURES, 'project'), strict: true, envFile: [] });
  // The project fixture binds host paths (warned about), so strict fails; without strict it converts.
  assert.equal(r.code, 1);
  const ok = await convert({ projectDirectory: join(FIXTURES, 'project') });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /kind: Deployment/);
});

test('load errors are reported without a stack and exit 1', async () => {
  const r = await convert({ file: [join(FIXTURES, 'nope.yaml')] });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: .*nope\.yaml/);
});

test('no colour escapes on a stream that is not a terminal, even with CI set', async () => {
  process.env.CI = '1';
  const r = await convert({ file: [join(FIXTURES, 'nope.yaml')] });
  assert.equal(r.code, 1);
  assert.ok(!r.stderr.includes('\u001b['), r.stderr);
  process.env.FORCE_COLOR = '1';
  const forced = await convert({ file: [join(FIXTURES, 'nope.yaml')] });
  delete process.env.FORCE_COLOR;
  assert.ok(forced.stderr.startsWith('\u001b[31merror:'), forced.stderr);
});
