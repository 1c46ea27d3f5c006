import { X509Certificate } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ConfigError } from '../../errors.js';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Statuses whose Response must have a null body (the Response constructor throws otherwise). */
const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * A fetch that trusts exactly `ca` (PEM, one or more certificates) for HTTPS, or Node's bundled
 * roots when `ca` is undefined. Global fetch cannot be given a CA without the undici package's
 * Agent, which would add some 300 KB to the bundle; node:https takes `ca` directly. The FlashArray
 * REST calls need nothing beyond a string body, headers and a status.
 */
export function tlsFetch(ca: string | undefined): FetchLike {
  if (ca !== undefined) checkCaBundle(ca);
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const target = new URL(url);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const req = send(
        target,
        {
          method: init.method ?? 'GET',
          headers,
          ...(target.protocol === 'https:' && ca !== undefined ? { ca } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (value === undefined) continue;
              for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v);
            }
            resolve(
              new Response(NULL_BODY.has(status) ? null : Buffer.concat(chunks), {
                status,
                headers: responseHeaders,
              }),
            );
          });
        },
      );
      req.on('error', reject);
      if (typeof init.body === 'string') req.write(init.body);
      req.end();
    });
}

/** A bundle that is not PEM certificates fails here, in one line, not at the first TLS handshake. */
export function checkCaBundle(ca: string): void {
  const blocks = ca.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  if (!blocks) {
    throw new ConfigError('CA bundle has no "-----BEGIN CERTIFICATE-----" block; give PEM certificates');
  }
  // Node's TLS skips a block it cannot parse without a word; the handshake would then fail as an
  // untrusted certificate, pointing away from the bundle that is actually wrong.
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
      throw new ConfigError(`CA bundle is not valid PEM: certificate ${i + 1}: ${reason}`, { cause });
    }
  });
}
