// The page's signing code against the crypto test vectors of protocol.md 2.4.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  publicKeyHex, idFromPrivateKey, sha3Hex, sign, recoverId, envelope, parsePrivateKey,
  generatePrivateKey, base64OfText, textOfBase64,
} from '../src/crypto.js';

const keys = [
  ['K1', 'fcc79953d8a751bf41db661592dc34d30004b1a651ffa0725b03ac227641499d',
    '0426aa26fe2d354aeb42265141eb7b42dc74b092c3809d2288ae1cb73feae7aafc906b4252aee3855676941423a2df8f83aada0c3e1dbb19c263c9bef53471964b',
    '039231c7644e04b6895471dd5335cf332681c54e27f81fac54f9067b3f2c0103'],
  ['K2', 'ba949fa134981372d6da62b6a56f336ab4d843b22c02a4257dcf7d0d73097514',
    '046c9880d25fcada91665206a95e5188211ffdadda4a25c1deb3f2375f08535845bb41ccd74cdad729940b29451adb58f30dc66e69dbed6b11d2c1c48b14624dd5',
    '4787a5071856a4acf702b2ffcea422e3237a679c681314113d86139461290cf4'],
  ['K3', 'ddf7f7791208083b6a9ed975a72684f6406a269cfa36f1b1c32045c0a71fff05',
    '040e1930031d82f79fb53008c4ad81c8933f9fdb4d55bf9f385eca9f1275b2cfd6ed08ae04fd9e3b72daeea8d3e836148d4d3dc27df58fb45878d126cddf4d2fcf',
    '3fc05cf3df4b494e95d6a3d297a34f19938f7daa7422ab0d4f794454133341ac'],
  ['K4', '6d2fb6f546bacfd98c68769e61e0b44a697a30596c018a50e28200aa59b01c0a',
    '0408e903276ee7973666dceeefa5335e5c4b6b5989821906db98f8de8acf8f853824ca3234a8602200baa2d75f30cb2050cda18602824c3eb2da654a93a01a7ad4',
    '4fef2b5a82d134d058c1883c72d6d9caf77cd59ca82d73105017590dea3dcb87'],
  ['K5', 'd6eb959e9aec2e6fdc44b5862b269e987b8a4d6f2baca542d8acaa97ee5e74f6',
    '0458d9f552e9794ad73bd4ab77dfe1c7509542ab3121991e20233955f8fc79c266fd55390ddf3b3309417c78c9ebe2b572dfdf0b2f8eb4b468a6e19176a5f2b1c7',
    '5d6568f883451ae2e407d1a0a7992e414f2a67b69d0e6e9176d353b98f06f696'],
  ['K6', '0000000000000000000000000000000000000000000000000000000000000001',
    '0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8',
    '2036f5bc759cfb3589fb4e2342bc9b3c843c5ef27dc8ded538de328a7567089b'],
];
const K = Object.fromEntries(keys.map(([n, prv]) => [n, prv]));

const vectors = [
  ['V1', 'K1', 'eyJtc2d0eXBlIjoiZ2V0Y29sb25pZXNtc2cifQ==',
    '60505a7286296481b371f5f0d831f1065594d9be11e8acabeab18052712949b9',
    '3cf5209e35d24048f67652cb354ded5bed0d56bdce9cab433646942a47760353283e65a2cb764e22d9efa37e67a9ba485ade029f1405e5eed13365a82250a87300',
    '039231c7644e04b6895471dd5335cf332681c54e27f81fac54f9067b3f2c0103'],
  ['V2', 'K2', 'hello', '3338be694f50c5f338814986cdf0686453a888b84f424d792af4b9202398f392',
    '6007da6e46cf25b373cf3fbc263e5f5ccab0509bc3f165f8339ef44c3918072320a0b842408f91e816057c4f9c9052a233c14ab15d40d2437e46708acc2eaec001',
    '4787a5071856a4acf702b2ffcea422e3237a679c681314113d86139461290cf4'],
  ['V3', 'K3', 'eyJjb2xvbnluYW1lIjoiZGV2IiwidGltZW91dCI6MTAsImF2YWlsYWJsZWNwdSI6IiIsImF2YWlsYWJsZW1lbSI6IiIsIm1zZ3R5cGUiOiJhc3NpZ25wcm9jZXNzbXNnIn0=',
    'd70b37d75bba204354666de34419a72f305c6c83390e8598618696466ac10f75',
    '2a721e71e0ce37be7bbbb2aeba5668bcecf4341c9a50913ae92816a796ad98d0644c6896c5ac1904a044c45356ea502a1296eb52bbe4f28d58924118851539c101',
    '3fc05cf3df4b494e95d6a3d297a34f19938f7daa7422ab0d4f794454133341ac'],
  ['V4', 'K4', 'test', '36f028580bb02cc8272a9a020f4200e346e276ae664e45ee80745574e2f5ab80',
    'fd9735ad1476ad2e10fbe535a5249a9703b8294918c3360122aa09c070cd425a6a82de09753b469de2de7970fbfc06b56a16c6efc2d588bf1e26c856ff368aac01',
    '4fef2b5a82d134d058c1883c72d6d9caf77cd59ca82d73105017590dea3dcb87'],
  ['V5', 'K5', 'hello', '3338be694f50c5f338814986cdf0686453a888b84f424d792af4b9202398f392',
    'e713a1bb015fecabb5a084b0fe6d6e7271fca6f79525a634183cfdb175fe69241f4da161779d8e6b761200e1cf93766010a19072fa778f9643363e2cfadd640900',
    '5d6568f883451ae2e407d1a0a7992e414f2a67b69d0e6e9176d353b98f06f696'],
  ['V6', 'K6', '', 'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a',
    'ab1a548e7964281d13c2e4c3d260fdf29acd9d6e8d21edc63522c972ab3d2aba0e94f1d6c7a3282498a7f15eaabda6ed2c60adf28208d7f3ffcaef36a23d1eb200',
    '2036f5bc759cfb3589fb4e2342bc9b3c843c5ef27dc8ded538de328a7567089b'],
];

test('keys give the public keys and ids of protocol.md 2.4', () => {
  for (const [name, prv, pub, id] of keys) {
    assert.equal(publicKeyHex(prv), pub, name);
    assert.equal(idFromPrivateKey(prv), id, name);
    assert.equal(idFromPrivateKey(prv.toUpperCase()), id, `${name} upper case`);
  }
});

test('signatures are byte-exact with vectors V1-V6', () => {
  for (const [name, key, msg, sha, sig, id] of vectors) {
    assert.equal(sha3Hex(msg), sha, `${name} sha3`);
    assert.equal(sign(msg, K[key]), sig, `${name} signature`);
    assert.equal(recoverId(msg, sig), id, `${name} recovered id`);
  }
});

test('V7 (non-deterministic signer) recovers to K5', () => {
  const v7 = '997eca36736d465e0e8d64e6d657ff4c939c8f5cad4272797ea0fe372bfd8d0953d21b3d06ded5dd80aee8cfa3a9be7ce615ce690eb64184fe15962943fe541300';
  assert.equal(recoverId('hello', v7), keys[4][3]);
  assert.equal(recoverId('hello', v7.toUpperCase()), keys[4][3]);
});

test('negative vectors are refused', () => {
  const v5 = vectors[4][4];
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const s = BigInt('0x' + v5.slice(64, 128));
  const highS = v5.slice(0, 64) + (n - s).toString(16).padStart(64, '0') + '01';
  assert.throws(() => recoverId('hello', highS));
  assert.throws(() => recoverId('hello', v5.slice(0, 8)), /Invalid signature length/);
  assert.throws(() => recoverId('hello', ''), /Invalid signature length/);
  assert.notEqual(safeRecover('hello!', v5), keys[4][3], 'a changed message is another signer');
});

function safeRecover(msg, sig) {
  try { return recoverId(msg, sig); } catch { return null; }
}

test('the V1 envelope is what the spec shows', () => {
  const env = envelope('getcoloniesmsg', {}, K.K1);
  assert.equal(env.payload, 'eyJtc2d0eXBlIjoiZ2V0Y29sb25pZXNtc2cifQ==');
  assert.equal(env.signature, vectors[0][4]);
  assert.equal(textOfBase64(base64OfText('héllo ✓')), 'héllo ✓');
});

test('bad private keys are refused with a clear message', () => {
  assert.throws(() => parsePrivateKey('abc'), /64 hexadecimal/);
  assert.throws(() => parsePrivateKey('0'.repeat(64)), /Invalid private key/);
  assert.throws(() => parsePrivateKey('f'.repeat(64)), /Invalid private key/);
  const fresh = generatePrivateKey();
  assert.match(fresh, /^[0-9a-f]{64}$/);
  assert.equal(recoverId('x', sign('x', fresh)), idFromPrivateKey(fresh));
});
