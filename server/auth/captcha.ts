import { eq, lt } from 'drizzle-orm';
import svgCaptcha from 'svg-captcha';
import type { Db } from '../db/client';
import { captchas } from '../db/schema';
import { safeEqual, sha256 } from '../crypto';
import { AppError } from '../errors';

const TTL_MS = 5 * 60_000;

/** A new image captcha (digits, as in the manual's login box). The answer is kept hashed in the database. */
export async function createCaptcha(db: Db): Promise<{ id: string; svg: string }> {
  const { text, data } = svgCaptcha.create({
    size: 5,
    charPreset: '0123456789',
    noise: 2,
    color: true,
    background: '#f3f6fb',
    width: 120,
    height: 40,
  });
  const [row] = await db
    .insert(captchas)
    .values({ answerHash: sha256(text), expiresAt: new Date(Date.now() + TTL_MS) })
    .returning({ id: captchas.id });
  await db.delete(captchas).where(lt(captchas.expiresAt, new Date()));
  return { id: row!.id, svg: data };
}

/**
 * Checks and consumes a captcha: each one answers once, right or wrong.
 * `testAnswer` (CAPTCHA_TEST_ANSWER, refused in production) lets automated tests through.
 */
export async function checkCaptcha(db: Db, id: string | undefined, answer: string, testAnswer: string | null): Promise<void> {
  const given = answer.trim();
  if (testAnswer && given === testAnswer) return;
  if (!id || !/^[0-9a-f-]{36}$/.test(id)) throw captchaError('验证码已失效，请点击图片刷新后重新输入');
  const [row] = await db.delete(captchas).where(eq(captchas.id, id)).returning();
  if (!row || row.expiresAt.getTime() < Date.now()) throw captchaError('验证码已过期，请点击图片刷新后重新输入');
  if (!safeEqual(row.answerHash, sha256(given))) throw captchaError('验证码不正确，请重新输入图片中的5位数字');
}

const captchaError = (message: string) => new AppError('CAPTCHA', message, [{ field: 'captcha', label: '验证码', message }]);
