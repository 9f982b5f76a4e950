import { describe, expect, it } from 'vitest';
import { ApiClient } from './api';
import { ADMIN_PASSWORD, CAPTCHA, e2eSuite, login, look, newPage, startServer } from './harness';
import { pdfBytes } from '../server/testing/files';
import { EICAR, EICAR_SIGNATURE, startClamd, type TestClamd } from '../server/testing/clamd';

// 恶意代码防范 in the browser: the platform runs with CLAMD (a real clamd with the EICAR signature,
// server/testing/clamd.ts). In 【附件】 an infected 个人诚信承诺 is refused with the signature named and is not listed; a
// clean one beside it is stored; and the organizer finds the refusal in 审计日志.
let clamd: TestClamd | undefined;
const e2e = e2eSuite({
  start: async () => {
    clamd = await startClamd();
    return startServer({ CLAMD: clamd.socket });
  },
  teardown: async () => clamd?.close(),
});

describe('【附件】 with the antivirus on', () => {
  it('refuses an infected file with the signature named, keeps the clean one, and 审计日志 shows the refusal', async () => {
    const base = e2e.platform.url;
    const api = new ApiClient(base);
    await api.call('POST', '/api/auth/register/applicant', {
      username: 'avcheck1',
      password: 'Owner2023x',
      realName: '热依拉',
      mobile: '13677770002',
      email: 'avcheck@example.cn',
      captcha: CAPTCHA,
    });
    await api.call('POST', '/api/applications', {});

    const { page } = await newPage(e2e.browser, base);
    await login(page, 'avcheck1', 'Owner2023x');
    await page.getByRole('menuitem', { name: '我的申报表' }).click();
    await page.locator('tr', { hasText: 'ZMKJ2023' }).first().getByText('编辑申请书/提交').click();
    await page.getByText('最美科技工作者/热依拉').first().waitFor();
    await page
      .getByRole('button', { name: /^附\s*件$/ })
      .first()
      .click();
    const dialog = page.getByRole('dialog');
    await dialog
      .locator('section[aria-label="个人诚信承诺"] input[type=file]')
      .setInputFiles({ name: '诚信承诺.pdf', mimeType: 'application/pdf', buffer: pdfBytes(EICAR) });
    // the refusal, as every refused upload is told (the page's message at the top)
    await page.getByText(`文件“诚信承诺.pdf”未通过病毒查杀（检出 ${EICAR_SIGNATURE}），未保存`).first().waitFor();
    await look(page, 'antivirus-01-refused');
    expect(await dialog.locator('section[aria-label="个人诚信承诺"]').getByRole('link', { name: '诚信承诺.pdf' }).count()).toBe(0);

    await dialog
      .locator('section[aria-label="所在单位意见"] input[type=file]')
      .setInputFiles({ name: '单位意见.pdf', mimeType: 'application/pdf', buffer: pdfBytes('clean') });
    await dialog.locator('section[aria-label="所在单位意见"]').getByRole('link', { name: '单位意见.pdf' }).waitFor();
    expect(await dialog.locator('.attachment-list a').count()).toBe(1);

    // the organizer's 审计日志 lists it under its label
    const admin = new ApiClient(base);
    await admin.login('admin', ADMIN_PASSWORD);
    const found = await admin.call<{ rows: { actionLabel: string; detail: string }[] }>('GET', '/api/admin/audit?action=attachment.infected');
    expect(found.rows.map((r) => r.actionLabel)).toEqual(['上传文件检出病毒（已拒收）']);
    expect(JSON.parse(found.rows[0]!.detail)).toMatchObject({ name: '诚信承诺.pdf', signature: EICAR_SIGNATURE });
  });
});
