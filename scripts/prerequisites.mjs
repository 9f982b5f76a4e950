// What the test runs need from Debian, shared by `npm test` (scripts/test.mjs) and `npm run test:cluster`
// (scripts/cluster/test.ts): Chromium for the browser journeys, a CJK font for their screenshots, and poppler-utils,
// with which the certificate, 申请书 PDF and 宣传素材包 tests read the PDFs the platform makes (pdftoppm, pdftotext,
// pdffonts, pdfimages), and ClamAV's daemon for the antivirus tests (clamd, run with a signature file of the tests' own).
// Installed with apt-get when missing and run as root; otherwise the command to run is printed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export function ensureTestTools() {
  const exe = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const hasFont = () => spawnSync('sh', ['-c', 'fc-list :lang=zh 2>/dev/null | head -1'], { encoding: 'utf8' }).stdout.trim() !== '';
  const hasDebianTools = () =>
    spawnSync(
      'sh',
      ['-c', 'command -v pdftoppm && command -v pdftotext && command -v pdffonts && command -v pdfimages && (command -v clamd || test -x /usr/sbin/clamd)'],
      { encoding: 'utf8' },
    ).status === 0;
  if (fs.existsSync(exe) && hasFont() && hasDebianTools()) return;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) {
    console.error(
      `缺少 Chromium、中文字体、poppler-utils 或 clamav-daemon。请以 root 运行：apt-get update && apt-get install -y chromium fonts-noto-cjk poppler-utils && apt-get install -y --no-install-recommends clamav-daemon`,
    );
    process.exit(1);
  }
  console.log('正在安装 Debian 的 chromium、中文字体 fonts-noto-cjk、poppler-utils 与 clamav-daemon …');
  const r = spawnSync(
    'sh',
    [
      '-c',
      'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clamav-daemon',
    ],
    {
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) process.exit(1);
}
