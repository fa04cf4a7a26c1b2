// Keys, ids and request signatures exactly as the SDKs make them (protocol.md 2): secp256k1
// recoverable ECDSA (RFC 6979 nonces, low-S) over SHA3-256 of the base64 payload text. The curve
// and the hash come from the audited @noble libraries; nothing here does arithmetic itself.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha3_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';

const KEY_HEX = /^[0-9a-fA-F]{64}$/;

// Throws a person-readable error for anything that is not a usable private key.
export function parsePrivateKey(hex) {
  const text = String(hex).trim();
  if (!KEY_HEX.test(text)) throw new Error('A private key is 64 hexadecimal characters');
  const key = hexToBytes(text.toLowerCase());
  if (!secp256k1.utils.isValidSecretKey(key)) throw new Error('Invalid private key');
  return key;
}

// 130 lower-case hex characters of the uncompressed public key (0x04 || X || Y).
export function publicKeyHex(prvHex) {
  return bytesToHex(secp256k1.getPublicKey(parsePrivateKey(prvHex), false));
}

// The id hashes the *text* of the hex public key (protocol.md 2.1).
export function idFromPublicKeyHex(pubHex) {
  return bytesToHex(sha3_256(utf8ToBytes(pubHex)));
}

export function idFromPrivateKey(prvHex) {
  return idFromPublicKeyHex(publicKeyHex(prvHex));
}

export function sha3Hex(text) {
  return bytesToHex(sha3_256(utf8ToBytes(text)));
}

// r || s || recid (recid last, 0 or 1), as 130 lower-case hex characters.
export function sign(message, prvHex) {
  const digest = sha3_256(utf8ToBytes(message));
  const rec = secp256k1.sign(digest, parsePrivateKey(prvHex), {
    prehash: false,
    lowS: true,
    format: 'recovered',
  });
  // noble puts the recovery byte first; the wire puts it last.
  const out = new Uint8Array(65);
  out.set(rec.subarray(1), 0);
  out[64] = rec[0];
  return bytesToHex(out);
}

// The signer's id of a wire signature over `message` (what the server computes, 2.3); throws
// when the signature does not verify.
export function recoverId(message, sigHex) {
  const sig = hexToBytes(sigHex.toLowerCase());
  if (sig.length !== 65) throw new Error('Invalid signature length');
  const rec = new Uint8Array(65);
  rec[0] = sig[64];
  rec.set(sig.subarray(0, 64), 1);
  const digest = sha3_256(utf8ToBytes(message));
  const pub = secp256k1.recoverPublicKey(rec, digest, { prehash: false });
  const point = secp256k1.Point.fromBytes(pub);
  const full = point.toBytes(false);
  if (!secp256k1.verify(sig.subarray(0, 64), digest, full, { prehash: false, lowS: true }))
    throw new Error('Invalid signature');
  return idFromPublicKeyHex(bytesToHex(full));
}

// A new key from the browser's CSPRNG (noble draws it uniformly below n).
export function generatePrivateKey() {
  return bytesToHex(secp256k1.utils.randomSecretKey());
}

// Standard base64 (padded) of the UTF-8 bytes of a string.
export function base64OfText(text) {
  const bytes = utf8ToBytes(text);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function textOfBase64(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}

// The request envelope of protocol.md 1.2 for a message object (msgtype added).
export function envelope(payloadtype, msg, prvHex) {
  const payload = base64OfText(JSON.stringify({ ...msg, msgtype: payloadtype }));
  return { payloadtype, payload, signature: sign(payload, prvHex) };
}
