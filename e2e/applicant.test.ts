import { describe, expect, it } from 'vitest';
import { e2eSuite, login, newPage, look, CAPTCHA, choose } from './harness';
import { makeIdNumber } from '../server/testing/factories';
import { pdfBytes, pngBytes, jpegBytes } from '../server/testing/files';
import { jpegOfSize } from '../server/testing/media-fixtures';

const e2e = e2eSuite();

describe('申报人: 注册 → 登录 → 我要申请 → 保存 → 我承诺 → 附件', () => {
  it('follows the manual from registration to a complete application in the list', async () => {
    const { page } = await newPage(e2e.browser, e2e.platform.url);

    // 注册 as an applicant
    await page.goto('/login');
    await page.getByText('新疆科技工作者之家 申报平台').first().waitFor();
    expect(await page.getByText('使用合作网站登录').count()).toBe(0); // no OIDC provider configured
    await page.getByRole('link', { name: '注册' }).click();
    await page.getByLabel('确认密码').waitFor(); // the register page has rendered
    await page.getByLabel('用户名').fill('gulnar2023');
    await page.getByLabel('密码', { exact: true }).fill('Gulnar#Xj23');
    await page.getByLabel('确认密码').fill('Gulnar#Xj23');
    await page.getByLabel('真实姓名').fill('古丽娜尔');
    await page.getByLabel('手机').fill('13899991234');
    await page.getByLabel('电子邮箱').fill('gulnar@example.cn');
    await page.getByLabel('验证码').fill(CAPTCHA);
    await look(page, 'applicant-01-register');
    await page.getByRole('button', { name: /注\s*册/ }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/register'));

    // 退出, then 登录 with the captcha
    await page.getByRole('button', { name: /退\s*出/ }).click();
    await page.waitForURL(/\/login/);
    await login(page, 'gulnar2023', 'Gulnar#Xj23');
    await page.getByText('我的主页').first().first().waitFor();
    await look(page, 'applicant-02-home');

    // 最美科技工作者 → 我的申报表 → 【我要申请】
    await page.getByRole('menuitem', { name: '我的申报表' }).click();
    await page.getByRole('button', { name: /我要申请/ }).click();
    await page.waitForURL(/\/zmkj\/applications\//);
    await page.getByText('最美科技工作者/古丽娜尔').first().waitFor();

    // a partly filled draft saves
    await page.getByLabel('单位名称').fill('新疆农业科学院');
    await page.getByLabel('所学专业').fill('作物遗传育种');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText('已保存').first().first().waitFor();
    await look(page, 'applicant-03-draft-saved');

    // 提交 checks completeness and names what is missing
    await page.getByRole('button', { name: /提\s*交/ }).click();
    await page
      .getByText(/申请书尚未填写完整/)
      .first()
      .waitFor();
    for (const missing of ['请填写身份证号码', '请选择民族', '请填写主要事迹', '请在【附件】中上传政审材料', '照片 0 张，要求至少 1 张']) {
      expect(await page.getByText(missing).first().isVisible()).toBe(true);
    }
    await look(page, 'applicant-04-missing');

    // return later: the list shows the draft with 状态 申报人
    await page.getByRole('menuitem', { name: '我的申报表' }).click();
    const row = page.locator('tr', { hasText: 'ZMKJ2023' });
    await row.getByText('申报人').first().waitFor();
    await row.getByText('编辑申请书/提交').click();
    await expect.poll(() => page.getByLabel('单位名称').inputValue(), { timeout: 10_000 }).toBe('新疆农业科学院');

    // complete every field
    await page.getByLabel('身份证号码').fill(makeIdNumber('1985-03-12', '女', '650102', 321));
    await page.getByLabel('申请人姓名').click(); // leave the field: 出生日期 and 性别 follow the ID
    await choose(page, '民族', '维吾尔族');
    if ((await page.getByLabel('性别', { exact: true }).inputValue()) !== '女') await choose(page, '性别', '女');
    await page.getByLabel('籍贯').fill('新疆喀什');
    await choose(page, '政治面貌', '中共党员');
    await choose(page, '学历', '博士研究生');
    await choose(page, '学位', '博士');
    await page.getByLabel('毕业院校').fill('新疆大学');
    await page.getByLabel('工作职责').fill('棉花育种研究');
    await page.getByLabel('专业技术职务').fill('研究员');
    await page.getByLabel('办公电话').fill('0991-4502133');
    await page.getByLabel('电子邮箱').fill('gulnar@example.cn');
    await page.getByLabel('通讯地址').fill('乌鲁木齐市沙依巴克区南昌路403号');
    await page.getByLabel('邮政编码').fill('830091');
    await choose(page, '推荐领域', '经济主战场与成果转化');
    // a long text: the box grows with it (8 lines at first, up to 30, then it scrolls)
    const deeds = page.getByLabel('主要事迹');
    const height = () => deeds.evaluate((el) => el.getBoundingClientRect().height);
    const empty = await height();
    expect(empty).toBeGreaterThanOrEqual(8 * 22);
    await deeds.fill(Array.from({ length: 16 }, (_, i) => `第${i + 1}段。`).join('\n'));
    await expect.poll(height).toBeGreaterThan(empty + 5 * 22);
    await deeds.fill(Array.from({ length: 60 }, (_, i) => `第${i + 1}段。`).join('\n'));
    await expect.poll(height).toBeLessThanOrEqual(30 * 22 + 12);
    expect(await deeds.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
    await deeds.fill('扎根南疆二十年，培育抗旱棉花新品种6个，累计推广800万亩。');
    await expect.poll(height).toBeLessThan(empty + 2);
    await page.getByLabel('感人故事').fill('她常年住在试验田旁的土坯房里，和农民一起摘棉花、算收成。');
    for (const q of ['是否在新疆工作']) await page.getByRole('radiogroup', { name: q }).getByText('是', { exact: true }).click();
    for (const q of [
      '是否为两院院士',
      '是否曾获评“新疆最美科技工作者”',
      '是否为现役军人',
      '是否为公务员或参照公务员法管理人员',
      '是否为党政机关现任厅局级以上行政职务者',
      '是否已获得国家级荣誉表彰',
      '是否已获得中宣部“最美”系列称号',
    ]) {
      await page.getByRole('radiogroup', { name: q }).getByText('否', { exact: true }).click();
    }
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText('已保存').first().first().waitFor();
    expect(await page.getByLabel('出生日期').inputValue()).toBe('1985-03-12');

    // read the regulations and 【我承诺】
    await expect.poll(() => page.getByRole('region', { name: '评选条例' }).textContent(), { timeout: 10_000 }).toContain('政治过硬');
    await page.getByRole('button', { name: /我承诺/ }).click();
    await page
      .getByText(/已承诺/)
      .first()
      .first()
      .waitFor();

    // 【附件】: the three scans, recognised from their content
    await page
      .getByRole('button', { name: /^附\s*件$/ })
      .first()
      .click();
    const dialog = page.getByRole('dialog');
    const files = {
      个人诚信承诺: { name: '诚信承诺.pdf', mimeType: 'application/pdf', buffer: pdfBytes('pledge') },
      所在单位意见: { name: '单位意见.png', mimeType: 'image/png', buffer: pngBytes() },
      政审材料: { name: '政审材料.jpg', mimeType: 'image/jpeg', buffer: jpegBytes(4096) },
    };
    // all three at once: each stays listed when the others finish
    for (const [label, file] of Object.entries(files)) await dialog.locator(`section[aria-label="${label}"] input[type=file]`).setInputFiles(file);
    for (const [label, file] of Object.entries(files)) {
      // listed as a download link once stored (the name also shows in "正在上传：…" while it is sent)
      await dialog.locator(`section[aria-label="${label}"]`).getByRole('link', { name: file.name }).waitFor();
    }
    await expect.poll(() => dialog.locator('.attachment-list a').count()).toBe(3);
    await look(page, 'applicant-05-attachments');
    await dialog.getByRole('button', { name: /关\s*闭/ }).click();

    // 照片 (材料要求: JPEG, at least 2 MB, named 姓名+序号): chosen in the 照片 section, shown as a thumbnail
    await page.getByLabel('选择照片文件').setInputFiles({ name: 'IMG_2041.jpg', mimeType: 'image/jpeg', buffer: jpegOfSize(2 * 1024 * 1024 + 100 * 1024) });
    const photo = page.locator('#sec-photos').getByRole('listitem', { name: '古丽娜尔1.jpg' });
    await photo.waitFor({ timeout: 30_000 });
    // 预览生成中… while the preview's job runs, then the thumbnail
    await expect
      .poll(
        () =>
          photo
            .locator('img')
            .evaluate((img) => (img as HTMLImageElement).naturalWidth, undefined, { timeout: 1_000 })
            .catch(() => 0),
        { timeout: 30_000 },
      )
      .toBeGreaterThan(0);
    await page.locator('#sec-photos').getByText('已上传 1 张，至少 1 张，最多 10 张').waitFor();
    await page.locator('#sec-photos').scrollIntoViewIfNeeded();
    await look(page, 'applicant-05b-photo');

    await page.getByRole('button', { name: /提\s*交/ }).click();
    // 提交 saves the whole form, asks the server's completeness check, then opens the 推荐单位 dialog: three round
    // trips, which on a loaded CI machine took longer than the default 15 s once
    await page.getByText('申请书已填写完整，可提交至推荐单位').first().waitFor({ timeout: 30_000 });
    await look(page, 'applicant-06-complete');
    // submission to a 推荐单位 is the routing journey (e2e/routing.test.ts): not now
    await page.getByRole('dialog').getByRole('button', { name: '取消' }).click();

    await page.getByRole('menuitem', { name: '我的申报表' }).click();
    const listed = page.locator('tr', { hasText: 'ZMKJ2023' });
    await listed.getByText('古丽娜尔').first().waitFor();
    expect(await listed.getByText('申报人').isVisible()).toBe(true);
    await look(page, 'applicant-07-list');
  }, 240_000); // axe on every page: more than the default two minutes on a loaded machine
});
