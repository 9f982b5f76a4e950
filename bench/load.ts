/**
 * The load generator: autocannon in a child process (forked by bench/query.ts), so generating load does
 * not share an event loop with the servers being measured. It receives one `LoadSpec` at a time over IPC
 * and answers with a `LoadResult`.
 *
 * Latency percentiles are computed here from autocannon's per-response timings (sub-millisecond), since
 * autocannon's own histogram rounds to whole milliseconds, which is too coarse for 1–3 ms responses.
 */
import autocannon from 'autocannon';
import type { IncomingHttpHeaders } from 'node:http';

export interface FixedRequest {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  headers: IncomingHttpHeaders;
  /** a request body (bench:review's PUT of a score sheet) */
  body?: string;
}

/**
 * Requests that must follow each other per item: item i is sent with `steps[0]`, and once that has
 * succeeded it goes to the back of the queue and is next sent with `steps[1]`, and so on round the steps.
 * With many more items than connections, no item is ever in flight twice, so every request is valid
 * (e.g. 退回 then 收回 on the same application).
 */
export interface CycleSpec {
  items: { steps: FixedRequest[] }[];
}

export interface LoadSpec {
  baseUrl: string;
  connections: number;
  durationSeconds: number;
  request: FixedRequest | CycleSpec;
  /** the result carries every response's latency (to merge the slices of an interleaved run: mergeLoadResults) */
  keepLatencies?: boolean;
}

export interface LoadResult {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSeconds: number;
  p50: number;
  p99: number;
  max: number;
  /** completed 2xx responses per second */
  rps: number;
  /** the first failed response, to say why */
  firstFailure: string | null;
  /** every response's latency, ms (LoadSpec.keepLatencies) */
  latencies?: number[];
}

/** Slices of one measurement (each with its latencies) as one: summed counts and time, percentiles over all. */
export function mergeLoadResults(slices: LoadResult[]): LoadResult {
  const all: number[] = [];
  for (const r of slices) {
    if (!r.latencies) throw new Error('mergeLoadResults: a slice without its latencies (LoadSpec.keepLatencies)');
    for (const v of r.latencies) all.push(v);
  }
  const sorted = Float64Array.from(all).sort();
  const sum = (f: (r: LoadResult) => number) => slices.reduce((n, r) => n + f(r), 0);
  const ok = sum((r) => r.ok);
  const durationSeconds = sum((r) => r.durationSeconds);
  return {
    requests: sum((r) => r.requests),
    ok,
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    durationSeconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    rps: ok / durationSeconds,
    firstFailure: slices.find((r) => r.firstFailure)?.firstFailure ?? null,
  };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

function requestsFor(spec: LoadSpec, onFailure: (status: number, body: string) => void): autocannon.Request[] {
  const r = spec.request;
  if ('items' in r) {
    const queue = r.items.map((item) => ({ item, step: 0 }));
    type Ctx = { current?: (typeof queue)[number] };
    return [
      {
        setupRequest: (req, context) => {
          const next = queue.shift();
          if (!next) throw new Error('the cycle ran out of items: use more items than connections');
          (context as Ctx).current = next;
          const step = next.item.steps[next.step]!;
          return { ...req, method: step.method, path: step.path, headers: step.headers, body: step.body };
        },
        onResponse: (status, body, context) => {
          const done = (context as Ctx).current;
          if (!done) return;
          (context as Ctx).current = undefined;
          if (status >= 200 && status < 300) {
            queue.push({ item: done.item, step: (done.step + 1) % done.item.steps.length });
          } else {
            onFailure(status, body); // the item's state is unknown now: leave it out
          }
        },
      },
    ];
  }
  return [
    { method: r.method, path: r.path, headers: r.headers, body: r.body, onResponse: (status, body) => (status >= 300 ? onFailure(status, body) : undefined) },
  ];
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  let firstFailure: string | null = null;
  const onFailure = (status: number, body: string) => {
    firstFailure ??= `${status} ${body.slice(0, 300)}`;
  };
  const latencies: number[] = [];
  let ok = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url: spec.baseUrl, connections: spec.connections, duration: spec.durationSeconds, requests: requestsFor(spec, onFailure) },
      (err: unknown, res: autocannon.Result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      if (statusCode >= 200 && statusCode < 300) ok++;
    });
  });
  const sorted = Float64Array.from(latencies).sort();
  const durationSeconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  return {
    requests: latencies.length,
    ok,
    non2xx: latencies.length - ok,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    rps: ok / durationSeconds,
    firstFailure,
    ...(spec.keepLatencies ? { latencies } : {}),
  };
}

type Message = { id: number; spec: LoadSpec };

if (process.send) {
  process.on('message', (message: Message) => {
    runLoad(message.spec).then(
      (result) => process.send!({ id: message.id, result }),
      (err: unknown) => process.send!({ id: message.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    );
  });
}
