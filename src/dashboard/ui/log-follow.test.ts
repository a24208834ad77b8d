import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Api, type KObj } from './api.ts';
import { containerAttempt, followLog } from './log-follow.ts';

const pod = (status: unknown, nodeName?: string): KObj => ({
  metadata: { name: 'p' },
  spec: { nodeName, containers: [{ name: 'c' }] },
  status,
});

test('the attempt to follow: none before the container exists, its ID after', () => {
  assert.deepEqual(containerAttempt(pod({}), 'c'), { waiting: 'Pending', running: false });
  assert.deepEqual(containerAttempt(pod({}, 'n1'), 'c'), { waiting: 'ContainerCreating', running: false });
  assert.deepEqual(
    containerAttempt(
      pod({ containerStatuses: [{ name: 'c', state: { waiting: { reason: 'ErrImagePull' } } }] }, 'n1'),
      'c',
    ),
    { waiting: 'ErrImagePull', running: false },
  );
  assert.deepEqual(
    containerAttempt(
      pod({ containerStatuses: [{ name: 'c', containerID: 'runc://a', state: { running: {} } }] }),
      'c',
    ),
    { id: 'runc://a', running: true },
  );
  // Crash-looping: the last attempt's log is there while the next one waits.
  assert.deepEqual(
    containerAttempt(
      pod({
        containerStatuses: [
          { name: 'c', containerID: 'runc://b', state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      }),
      'c',
    ),
    { id: 'runc://b', waiting: 'CrashLoopBackOff', running: false },
  );
  assert.deepEqual(
    containerAttempt(pod({ initContainerStatuses: [{ name: 'init', containerID: 'runc://i' }] }), 'init'),
    { id: 'runc://i', running: false },
  );
});

/** A fetch that answers each call from `answers` in turn: a Status error or chunks of a stream. */
function scripted(answers: ({ status: number; body: string } | string[])[]) {
  const urls: string[] = [];
  const impl = async (url: string | URL | Request) => {
    urls.push(String(url));
    const a = answers.shift();
    if (!a) throw new Error('no more answers');
    if (!Array.isArray(a))
      return new Response(a.body, { status: a.status, headers: { 'Content-Type': 'application/json' } });
    const enc = new TextEncoder();
    return new Response(
      new ReadableStream({
        start(c) {
          for (const chunk of a) c.enqueue(enc.encode(chunk));
          c.close();
        },
      }),
    );
  };
  return { urls, impl };
}

test('a failed stream is retried and its text replaced; the error clears when data arrives', async () => {
  const f = scripted([
    { status: 503, body: JSON.stringify({ kind: 'Status', message: 'agent unreachable', code: 503 }) },
    ['one\n', 'two\n'],
  ]);
  const texts: string[] = [];
  const errors: string[] = [];
  await followLog(
    new Api('t', '', f.impl),
    { namespace: 'default', pod: 'p', container: 'c' },
    {
      text: (t) => texts.push(t),
      error: (e) => errors.push(e),
      describe: (e) => String((e as Error).message),
    },
    new AbortController().signal,
    5,
  );
  assert.deepEqual(errors, ['agent unreachable', '']);
  assert.deepEqual(texts, ['one\n', 'one\ntwo\n']);
  assert.equal(f.urls.length, 2);
  const q = new URL(f.urls[0] ?? '', 'https://x').searchParams;
  assert.equal(q.get('follow'), 'true');
  assert.equal(q.get('container'), 'c');
  assert.equal(q.get('tailLines'), '500');
});

test('aborting stops the retries', async () => {
  const f = scripted([
    { status: 500, body: 'boom' },
    { status: 500, body: 'boom' },
    { status: 500, body: 'boom' },
  ]);
  const ctl = new AbortController();
  const errors: string[] = [];
  const done = followLog(
    new Api('t', '', f.impl),
    { namespace: 'default', pod: 'p', container: 'c' },
    { text: () => {}, error: (e) => errors.push(e), describe: (e) => String((e as Error).message) },
    ctl.signal,
    60_000,
  );
  await new Promise((r) => setTimeout(r, 20));
  ctl.abort();
  await done;
  assert.deepEqual(errors, ['boom']);
  assert.equal(f.urls.length, 1);
});
