// Server-Sent Events whose events are whole snapshots (the 计票: each one holds every change so far), written to a
// response that may stop reading: a laptop gone to sleep, a phone in a lift, a stalled network. Node buffers every
// write a socket cannot take yet, so a screen that stops reading during a meeting would hold every snapshot sent
// since — ten a second of several KB each — until TCP gives up on it, many minutes later. Here, while the response is
// behind (its last write was refused: `writableNeedDrain`), only the newest snapshot waits and goes out at the next
// 'drain'; an older waiting one is dropped (the newer holds its changes) and the heartbeat is skipped (the stream is
// not idle). What a stalled screen holds is bounded by the socket's buffer and one snapshot, whatever the changes.
import type { Writable } from 'node:stream';

export interface SnapshotStream {
  /** `event: <event>` with `data` (one line: JSON) now, or when the response has caught up, if no newer one came */
  snapshot(event: string, data: string): void;
  /** a comment line (the heartbeat), unless the response is behind */
  comment(text: string): void;
  /** no more writes; the waiting snapshot, if any, is dropped */
  close(): void;
}

export function snapshotStream(out: Writable): SnapshotStream {
  let waiting: string | null = null;
  let closed = false;
  const writable = () => !closed && !out.destroyed && !out.writableEnded;
  const flush = () => {
    if (waiting === null || !writable() || out.writableNeedDrain) return;
    const chunk = waiting;
    waiting = null;
    out.write(chunk);
  };
  out.on('drain', flush);
  return {
    snapshot(event, data) {
      if (!writable()) return;
      // a line break would end the field: each line its own `data:` (the browser joins them with \n)
      const lines = /[\r\n]/.test(data) ? data.split(/\r\n|\r|\n/).join('\ndata: ') : data;
      const chunk = `event: ${event}\ndata: ${lines}\n\n`;
      if (out.writableNeedDrain) waiting = chunk;
      else out.write(chunk);
    },
    comment(text) {
      if (writable() && !out.writableNeedDrain) out.write(`: ${text}\n\n`);
    },
    close() {
      closed = true;
      waiting = null;
      out.off('drain', flush);
    },
  };
}
