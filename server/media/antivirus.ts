// 恶意代码防范 (等保 2.0 level 3; ASVS 5.0 5.4.3): every uploaded file is scanned by ClamAV's daemon before it is
// stored, when CLAMD is configured (a Unix socket path, or host:port). The file goes to clamd by its INSTREAM command
// (clamd's documented protocol: "zINSTREAM\0", then chunks each prefixed by its length as a 4-byte big-endian
// integer, then a zero length; the reply is "stream: OK", "stream: <signature> FOUND" or "... ERROR"), so clamd needs
// no access to the platform's files and may run on another machine.
//
// A file clamd finds infected is refused and never stored. A clamd that cannot be reached, times out or answers an
// error (for example a file above its StreamMaxLength) is a failure of ours, not a verdict: the upload is not
// stored, and a resumable upload keeps its bytes so that 继续 can commit it once clamd is back (fail closed).
import fs from 'node:fs';
import net from 'node:net';

export interface ClamdAddress {
  /** a Unix socket path (clamd's LocalSocket) … */
  path?: string;
  /** … or clamd's TCPAddr and TCPSocket */
  host?: string;
  port?: number;
}

export type ScanResult = { clean: true } | { clean: false; signature: string };

/** What CLAMD says: "/run/clamav/clamd.ctl", "unix:/run/clamav/clamd.ctl", "127.0.0.1:3310" or "tcp://av.internal:3310". */
export function parseClamdAddress(value: string): ClamdAddress {
  const v = value.trim();
  if (v.startsWith('unix:')) return { path: v.slice('unix:'.length) };
  if (v.startsWith('/')) return { path: v };
  const m = /^(?:tcp:\/\/)?(\[[^\]]+\]|[^:/]+):(\d{1,5})$/.exec(v);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
    throw new Error(`环境变量 CLAMD 应为 clamd 的 Unix 套接字路径（如 /run/clamav/clamd.ctl）或 主机:端口（如 127.0.0.1:3310），实际为 "${value}"`);
  }
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

/** clamd's chunk size: its StreamMaxLength counts the bytes, not the chunks */
const CHUNK = 64 * 1024;

/**
 * Scans one file through clamd's INSTREAM. Resolves with the verdict; rejects when clamd cannot give one (not
 * reachable, an ERROR reply such as "INSTREAM size limit exceeded", no reply within `timeoutMs`).
 */
export function scanFile(address: ClamdAddress, file: string, timeoutMs = 120_000): Promise<ScanResult> {
  return new Promise((resolve, reject) => {
    const socket = address.path ? net.connect({ path: address.path }) : net.connect({ host: address.host!, port: address.port! });
    let reply = '';
    let settled = false;
    const finish = (err: Error | null, result?: ScanResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      input?.destroy();
      if (err) reject(err);
      else resolve(result!);
    };
    const timer = setTimeout(() => finish(new Error(`clamd gave no verdict within ${timeoutMs} ms`)), timeoutMs);
    let input: fs.ReadStream | null = null;
    socket.on('error', (err) => finish(new Error(`clamd: ${err.message}`)));
    socket.on('data', (data) => {
      reply += data.toString('utf8');
      const end = reply.indexOf('\0');
      if (end >= 0) finish(...verdict(reply.slice(0, end)));
    });
    socket.on('close', () => {
      if (settled) return;
      if (reply) finish(...verdict(reply));
      else finish(new Error('clamd closed the connection without a verdict'));
    });
    socket.on('connect', () => {
      socket.write('zINSTREAM\0');
      input = fs.createReadStream(file, { highWaterMark: CHUNK });
      input.on('error', (err) => finish(err));
      input.on('data', (chunk) => {
        const head = Buffer.alloc(4);
        head.writeUInt32BE((chunk as Buffer).length);
        socket.write(head);
        // clamd reads as fast as it scans: wait for the socket to drain rather than queue a whole video in memory
        if (!socket.write(chunk)) {
          input!.pause();
          socket.once('drain', () => input!.resume());
        }
      });
      input.on('end', () => socket.write(Buffer.alloc(4)));
    });

    function verdict(text: string): [Error | null, ScanResult?] {
      // clamd ends its reply with \0 (the z of zINSTREAM); a reply without one counts as it is
      const line = text.trim();
      if (/^stream: OK$/.test(line)) return [null, { clean: true }];
      const found = /^stream: (.+) FOUND$/.exec(line);
      if (found) return [null, { clean: false, signature: found[1]! }];
      return [new Error(`clamd: ${line || 'an empty reply'}`)];
    }
  });
}
