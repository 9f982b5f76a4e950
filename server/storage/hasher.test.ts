import crypto from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createHasher, type Hasher } from './hasher';

// The upload's sha256 computed on a worker thread (issue 11, item 10): it must be exactly the sha256 of the bytes,
// whatever the pieces, for several streams at once; and when it cannot be given, it says so (undefined) rather
// than giving a wrong one, so the caller hashes the stored file instead.

const sha256 = (parts: Buffer[]) => crypto.createHash('sha256').update(Buffer.concat(parts)).digest('hex');

let hasher: Hasher;
afterEach(async () => {
  await hasher?.close();
});

/** Feeds the pieces as a request stream would, waiting whenever the hasher asks to. */
async function feed(stream: ReturnType<Hasher['start']>, parts: Buffer[]) {
  for (const part of parts) await stream.update(part);
}

describe('the worker-thread sha256 of an upload', () => {
  it('equals crypto sha256 for any way of cutting the bytes, several streams interleaved', async () => {
    hasher = createHasher();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.integer({ min: 0, max: 300_000 }), { maxLength: 12 }), { minLength: 1, maxLength: 3 }), async (streams) => {
        const bodies = streams.map((sizes) => sizes.map((n) => crypto.randomBytes(n)));
        const hashes = bodies.map(() => hasher.start());
        // interleave: piece i of every stream, then piece i+1
        const longest = Math.max(...bodies.map((b) => b.length));
        for (let i = 0; i < longest; i++) {
          for (let k = 0; k < bodies.length; k++) {
            const part = bodies[k]![i];
            if (part) await hashes[k]!.update(part);
          }
        }
        const digests = await Promise.all(hashes.map((h) => h.digest()));
        expect(digests).toEqual(bodies.map(sha256));
      }),
      { numRuns: 25, seed: 20261130 },
    );
  });

  it('asks the sender to wait once 8 MiB are waiting for the worker (bounded memory), and the digest is still right', async () => {
    hasher = createHasher();
    const piece = crypto.randomBytes(64 * 1024);
    const stream = hasher.start();
    // pieces given without yielding to the event loop: the worker's acknowledgements cannot arrive in between
    const waits: Array<Promise<void> | undefined> = [];
    for (let i = 0; i < 640; i++) waits.push(stream.update(piece));
    const firstWait = waits.findIndex(Boolean);
    expect(firstWait * piece.length).toBeGreaterThanOrEqual(8 * 1024 * 1024);
    expect(firstWait * piece.length).toBeLessThanOrEqual(9 * 1024 * 1024 + piece.length);
    expect(waits.slice(firstWait).every(Boolean)).toBe(true);
    await Promise.all(waits);
    expect(await stream.digest()).toBe(sha256(Array.from({ length: 640 }, () => piece)));
  });

  it('a piece given to it may be reused by the caller afterwards: the digest is of the bytes as they were', async () => {
    hasher = createHasher();
    const buf = Buffer.alloc(2 * 1024 * 1024, 1);
    const stream = hasher.start();
    await stream.update(buf);
    const original = Buffer.from(buf);
    buf.fill(2); // the request stream's buffer is reused or freed
    expect(await stream.digest()).toBe(sha256([original]));
  });

  it('gives undefined (never a wrong digest) when the worker is gone mid-stream, and works again for the next stream', async () => {
    hasher = createHasher();
    const stream = hasher.start();
    await stream.update(crypto.randomBytes(3 * 1024 * 1024));
    await hasher.close();
    expect(await stream.digest()).toBeUndefined();
    // a closed hasher starts nothing new either
    const after = hasher.start();
    expect(after.update(Buffer.from('x'))).toBeUndefined();
    expect(await after.digest()).toBeUndefined();

    hasher = createHasher();
    const again = hasher.start();
    await feed(again, [Buffer.from('新疆'), Buffer.from('最美科技工作者')]);
    expect(await again.digest()).toBe(sha256([Buffer.from('新疆最美科技工作者')]));
  });

  it('a discarded stream gives undefined and leaves the others untouched', async () => {
    hasher = createHasher();
    const a = hasher.start();
    const b = hasher.start();
    await feed(a, [Buffer.from('aaa')]);
    await feed(b, [Buffer.from('bbb')]);
    a.discard();
    expect(await a.digest()).toBeUndefined();
    expect(await b.digest()).toBe(sha256([Buffer.from('bbb')]));
  });

  it('an empty stream has the sha256 of nothing', async () => {
    hasher = createHasher();
    expect(await hasher.start().digest()).toBe(sha256([]));
  });
});
