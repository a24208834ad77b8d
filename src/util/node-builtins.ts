// Node builtins whose ESM import costs memory, required instead. An ESM import (even of one name)
// builds a module namespace from every export, which evaluates the module's lazy getters:
// - node:http's WebSocket/CloseEvent/MessageEvent load undici, ~10 MB resident (a bare
//   `import * from 'node:http'` takes RSS from 41 to 58 MB);
// - node:util's parseArgs, diff, MIMEType, … load worker_threads, the assert diff and more,
//   ~0.7 MB in every process;
// - node:tls's rootCertificates parses Node's ~140 bundled root CAs into strings (~0.3 MB) that a
//   client given its cluster's CA never needs.
// Types still come from `import type … from 'node:…'`; values from here. node-builtins.test.ts
// keeps src/ honest.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const nodeHttp = require('node:http') as typeof import('node:http');
export const nodeUtil = require('node:util') as typeof import('node:util');
export const nodeTls = require('node:tls') as typeof import('node:tls');
