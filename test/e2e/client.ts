// A minimal HTTPS client with the admin credentials from the kubeconfig, for raw API requests in
// tests (wire-level checks that kubectl would hide).
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { parse } from 'yaml';

export interface Creds {
  server: string;
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

export function credsFromKubeconfig(path: string): Creds {
  const kc = parse(readFileSync(path, 'utf8'));
  const cluster = kc.clusters[0].cluster;
  const user = kc.users[0].user;
  return {
    server: cluster.server,
    ca: Buffer.from(cluster['certificate-authority-data'], 'base64'),
    cert: Buffer.from(user['client-certificate-data'], 'base64'),
    key: Buffer.from(user['client-key-data'], 'base64'),
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): any;
}

export function raw(
  creds: Creds,
  method: string,
  path: string,
  opts: { body?: string | Buffer; headers?: Record<string, string>; anonymous?: boolean } = {},
): Promise<RawResponse> {
  const url = new URL(path, creds.server);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: creds.ca,
        ...(opts.anonymous ? {} : { cert: creds.cert, key: creds.key }),
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          // Node's client frames a DELETE body neither by length nor chunked unless told: say its length.
          ...(opts.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(opts.body)) } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
        });
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}
