import { Worker } from 'node:worker_threads';

/**
 * sha256 of an upload's bytes as they arrive, computed on a worker thread (issue 11, item 10: hashing 500 MB on
 * the event loop took the tus path from the bare pipe's speed to 70% of it; the loop is what reads the socket).
 *
 * Bytes are gathered into 1 MiB batches whose memory is handed to the worker without a copy. The worker keeps one
 * hash per stream. At most `MAX_IN_FLIGHT` bytes wait for the worker: beyond that `update` returns a promise, and
 * the caller holds the request stream until it settles (backpressure, so memory stays bounded).
 *
 * A stream's digest is `undefined` when the worker failed or was closed during the stream: the caller then hashes
 * the stored file itself. Nothing here is needed for correctness; it only saves time.
 */
const BATCH = 1024 * 1024;
const MAX_IN_FLIGHT = 8 * 1024 * 1024;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  if (m.t === 'u') {
    let h = hashes.get(m.s);
    if (!h) hashes.set(m.s, (h = crypto.createHash('sha256')));
    h.update(new Uint8Array(m.b));
    parentPort.postMessage({ t: 'a', n: m.b.byteLength });
  } else if (m.t === 'd') {
    const h = hashes.get(m.s) || crypto.createHash('sha256');
    hashes.delete(m.s);
    parentPort.postMessage({ t: 'd', s: m.s, hex: h.digest('hex') });
  } else if (m.t === 'x') {
    hashes.delete(m.s);
  }
});
`;

export interface StreamHash {
  /** Adds bytes; a returned promise means "wait for it before sending more". */
  update(chunk: Buffer): Promise<void> | undefined;
  /** The hex sha256 of everything added, or undefined when the worker could not give it. Ends the stream. */
  digest(): Promise<string | undefined>;
  /** Forgets the stream (the upload was interrupted or abandoned). */
  discard(): void;
}

type WorkerReply = { t: 'a'; n: number } | { t: 'd'; s: number; hex: string };

export interface Hasher {
  start(): StreamHash;
  close(): Promise<void>;
}

export function createHasher(): Hasher {
  let worker: Worker | null = null;
  /** Bumped when a worker goes away: streams begun on it cannot be finished. */
  let generation = 0;
  let nextStream = 1;
  let inFlight = 0;
  let waiters: Array<() => void> = [];
  const digests = new Map<number, (hex: string | undefined) => void>();
  let closed = false;

  const release = () => {
    const ready = waiters;
    waiters = [];
    for (const wake of ready) wake();
  };

  const lost = (w: Worker) => {
    if (worker !== w) return;
    worker = null;
    generation++;
    inFlight = 0;
    for (const resolve of digests.values()) resolve(undefined);
    digests.clear();
    release();
  };

  const current = (): Worker | null => {
    if (closed) return null;
    if (worker) return worker;
    // a small heap: the worker holds nothing but a few hash states; young-generation GCs free the batches' memory soon
    const w = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 } });
    w.unref();
    w.on('message', (m: WorkerReply) => {
      if (m.t === 'a') {
        inFlight -= m.n;
        if (inFlight <= MAX_IN_FLIGHT) release();
      } else {
        digests.get(m.s)?.(m.hex);
        digests.delete(m.s);
      }
    });
    w.on('error', () => lost(w));
    w.on('exit', () => lost(w));
    worker = w;
    return w;
  };

  return {
    start(): StreamHash {
      const id = nextStream++;
      const born = generation;
      let parts: Buffer[] = [];
      let gathered = 0;
      let ended = false;
      const alive = () => !ended && born === generation && worker !== null;

      const flush = () => {
        if (!gathered) return;
        // an ArrayBuffer of its own (never Node's shared pool), so it can be handed over without a copy
        const batch = Buffer.allocUnsafeSlow(gathered);
        let at = 0;
        for (const part of parts) at += part.copy(batch, at);
        parts = [];
        gathered = 0;
        const w = worker;
        if (!w || born !== generation) return;
        inFlight += batch.byteLength;
        w.postMessage({ t: 'u', s: id, b: batch.buffer }, [batch.buffer]);
      };

      if (!current()) ended = true;
      return {
        update(chunk) {
          if (!alive()) return undefined;
          parts.push(chunk);
          gathered += chunk.length;
          if (gathered >= BATCH) flush();
          if (inFlight <= MAX_IN_FLIGHT) return undefined;
          return new Promise<void>((resolve) => waiters.push(resolve));
        },
        digest() {
          if (!alive()) {
            ended = true;
            return Promise.resolve(undefined);
          }
          flush();
          ended = true;
          const w = worker!;
          return new Promise<string | undefined>((resolve) => {
            digests.set(id, resolve);
            w.postMessage({ t: 'd', s: id });
          });
        },
        discard() {
          if (ended) return;
          ended = true;
          parts = [];
          if (worker && born === generation) worker.postMessage({ t: 'x', s: id });
        },
      };
    },
    async close() {
      closed = true;
      const w = worker;
      if (w) {
        lost(w);
        await w.terminate();
      }
    },
  };
}
