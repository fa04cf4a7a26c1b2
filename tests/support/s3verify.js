// A signature-checking front for s3rver in the ColonyFS tests. s3rver 3.7.1 checks the access key
// of a Signature V4 request but not the signature itself ("V4 signatures have incomplete
// support"), so this proxy recomputes each request's AWS Signature V4 with the account's secret
// (S3RVER) independently of the client, refuses a mismatch with S3's 403 SignatureDoesNotMatch
// (and a payload whose SHA-256 differs from x-amz-content-sha256 with 400
// XAmzContentSHA256Mismatch), and forwards the rest to s3rver unchanged.
//   node s3verify.js <listen port> <s3rver port> [secret]
'use strict';
const http = require('http');
const crypto = require('crypto');

const [listenPort, targetPort, secret = 'S3RVER'] = process.argv.slice(2);

const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest();

function fail(res, status, code, message) {
  res.writeHead(status, { 'Content-Type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
          `<Message>${message}</Message></Error>`);
}

// The canonical request of Signature V4 for S3 (the path is used as sent, not re-encoded).
function canonicalRequest(req, signedHeaders, payloadHash) {
  const [path, query = ''] = req.url.split('?');
  const params = query === '' ? [] : query.split('&').map((p) => {
    const [k, v = ''] = p.split('=');
    return [k, v];
  });
  params.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1));
  const headers = signedHeaders.map((h) => {
    const v = req.headers[h];
    const value = (Array.isArray(v) ? v.join(',') : (v || '')).trim().replace(/\s+/g, ' ');
    return `${h}:${value}\n`;
  }).join('');
  return [req.method, path, params.map(([k, v]) => `${k}=${v}`).join('&'), headers,
          signedHeaders.join(';'), payloadHash].join('\n');
}

function verify(req, body) {
  const auth = req.headers.authorization || '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return [403, 'AccessDenied', 'Expected an AWS Signature V4 Authorization header'];
  const [, , date, region, service, signed, signature] = m;
  const payloadHash = req.headers['x-amz-content-sha256'];
  if (!payloadHash) return [400, 'InvalidRequest', 'Missing x-amz-content-sha256'];
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256(body)) {
    return [400, 'XAmzContentSHA256Mismatch',
            'The provided x-amz-content-sha256 header does not match what was computed.'];
  }
  const amzDate = req.headers['x-amz-date'] || '';
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope,
                  sha256(canonicalRequest(req, signed.split(';'), payloadHash))].join('\n');
  let key = hmac('AWS4' + secret, date);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = crypto.createHmac('sha256', key).update(toSign).digest('hex');
  if (expected !== signature) {
    return [403, 'SignatureDoesNotMatch',
            'The request signature we calculated does not match the signature you provided.'];
  }
  return null;
}

http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const refused = verify(req, body);
    if (refused) return fail(res, ...refused);
    const out = http.request({ host: '127.0.0.1', port: targetPort, method: req.method,
                               path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    out.on('error', (e) => fail(res, 502, 'BadGateway', String(e)));
    out.end(body);
  });
}).listen(Number(listenPort), '127.0.0.1');
