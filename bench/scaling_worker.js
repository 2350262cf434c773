// A thread of the bench's scaling control (bench/lib/scaling.ts), plain node: node crypto P-256 verification of a
// 256-byte message with a ready KeyObject, as in the raw section. On each message { ms } it verifies in a loop for
// ms milliseconds and answers its rate (verifications per second); a signature that does not verify ends the
// thread with an error, so a broken control cannot look fast.
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';

if (parentPort === null) throw new Error('scaling_worker.js runs as a worker thread');
const port = parentPort;
const message = new Uint8Array(256).fill(0x5a);
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signature = sign('sha256', message, privateKey);
const wrong = Uint8Array.from(message, (b, i) => (i === 0 ? b ^ 1 : b));
if (verify('sha256', wrong, publicKey, signature)) throw new Error('scaling control: a changed message verifies');

port.on('message', (/** @type {{ ms: number }} */ { ms }) => {
  const t0 = performance.now();
  let n = 0;
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 25; i++) {
      if (!verify('sha256', message, publicKey, signature)) throw new Error('scaling control: a P-256 signature does not verify');
    }
    n += 25;
    t = performance.now();
  }
  port.postMessage((n * 1000) / (t - t0));
});
port.postMessage('ready');
