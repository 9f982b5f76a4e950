/**
 * The ceiling for bench/upload: a bare Node http server that pipes each request body to a file and fsyncs it
 * before answering — what any Node server could do on this machine, with no protocol, checks or database.
 * Started as a child process by bench/upload.ts; prints its port on stdout.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const dir = process.argv[2]!;
let n = 0;
const server = http.createServer((req, res) => {
  const file = path.join(dir, `ceiling-${n++}.bin`);
  pipeline(req, fs.createWriteStream(file, { highWaterMark: 1024 * 1024 }))
    .then(async () => {
      const fh = await fs.promises.open(file, 'r+');
      await fh.sync();
      await fh.close();
      await fs.promises.rm(file);
      res.end('ok');
    })
    .catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
});
server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
