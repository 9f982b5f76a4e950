// The real senders' configuration (server/notify/config.ts): all optional; a half-configured sender stops the start
// with a Chinese message naming what is missing.
import { describe, expect, it } from 'vitest';
import { loadMessaging } from './config';

describe('loadMessaging', () => {
  it('nothing set: messages are only recorded', () => {
    expect(loadMessaging({})).toEqual({ sms: null, smtp: null });
  });

  it('阿里云 and 腾讯云 with their defaults', () => {
    const aliyun = loadMessaging({ SMS_PROVIDER: 'aliyun', ALIYUN_SMS_ACCESS_KEY_ID: 'id', ALIYUN_SMS_ACCESS_KEY_SECRET: 's', SMS_SIGN_NAME: '签名' });
    expect(aliyun.sms).toMatchObject({ provider: 'aliyun', endpoint: 'https://dysmsapi.aliyuncs.com/', regionId: 'cn-hangzhou', signName: '签名' });
    const tencent = loadMessaging({
      SMS_PROVIDER: 'Tencent',
      TENCENT_SMS_SECRET_ID: 'i',
      TENCENT_SMS_SECRET_KEY: 'k',
      TENCENT_SMS_SDK_APP_ID: '1400',
      SMS_SIGN_NAME: '签名',
    });
    expect(tencent.sms).toMatchObject({ provider: 'tencent', endpoint: 'https://sms.tencentcloudapi.com/', region: 'ap-guangzhou', sdkAppId: '1400' });
  });

  it('refuses a half-configured or unknown provider, naming what is missing', () => {
    expect(() => loadMessaging({ SMS_PROVIDER: 'aliyun', ALIYUN_SMS_ACCESS_KEY_ID: 'id' })).toThrow(
      /阿里云短信配置不完整：缺少环境变量 ALIYUN_SMS_ACCESS_KEY_SECRET、SMS_SIGN_NAME/,
    );
    expect(() => loadMessaging({ SMS_PROVIDER: 'huawei' })).toThrow(/SMS_PROVIDER 应为 aliyun（阿里云短信）或 tencent（腾讯云短信）/);
    expect(() =>
      loadMessaging({
        SMS_PROVIDER: 'tencent',
        TENCENT_SMS_SECRET_ID: 'i',
        TENCENT_SMS_SECRET_KEY: 'k',
        TENCENT_SMS_SDK_APP_ID: '1',
        SMS_SIGN_NAME: 's',
        TENCENT_SMS_ENDPOINT: 'ftp://x',
      }),
    ).toThrow(/TENCENT_SMS_ENDPOINT 应为 http:\/\/ 或 https:\/\/ 开头的地址/);
  });

  it('SMTP: port 587 by default, 465 with SMTP_SECURE; user and password together; no stray settings', () => {
    expect(loadMessaging({ SMTP_HOST: 'smtp.example.cn', SMTP_FROM: 'a@b.cn' }).smtp).toEqual({
      host: 'smtp.example.cn',
      port: 587,
      secure: false,
      user: null,
      password: null,
      from: 'a@b.cn',
    });
    expect(loadMessaging({ SMTP_HOST: 'h', SMTP_FROM: 'a@b.cn', SMTP_SECURE: 'true' }).smtp).toMatchObject({ port: 465, secure: true });
    expect(loadMessaging({ SMTP_HOST: 'h', SMTP_FROM: 'a@b.cn', SMTP_PORT: '465' }).smtp).toMatchObject({ port: 465, secure: true });
    expect(() => loadMessaging({ SMTP_HOST: 'h' })).toThrow(/缺少环境变量 SMTP_FROM/);
    expect(() => loadMessaging({ SMTP_HOST: 'h', SMTP_FROM: 'a@b.cn', SMTP_USER: 'u' })).toThrow(/SMTP_USER 与 SMTP_PASSWORD 应同时设置/);
    expect(() => loadMessaging({ SMTP_HOST: 'h', SMTP_FROM: 'a@b.cn', SMTP_PORT: '70000' })).toThrow(/SMTP_PORT 应为 1–65535/);
    expect(() => loadMessaging({ SMTP_USER: 'u' })).toThrow(/缺少 SMTP_HOST/);
  });
});
