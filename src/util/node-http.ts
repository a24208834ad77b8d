// node:http, required instead of imported. An ESM import of node:http (even of one name) builds a
// module namespace from every export, and Node 24's http exports lazy WebSocket/CloseEvent/
// MessageEvent getters: evaluating them loads undici, ~10 MB resident, into processes that never
// use it (measured: a bare `import * from 'node:http'` takes RSS from 41 to 58 MB). Types still come
// from `import type … from 'node:http'`; values from here. node-http.test.ts keeps src/ honest.
import { createRequire } from 'node:module';

export const nodeHttp = createRequire(import.meta.url)('node:http') as typeof import('node:http');
