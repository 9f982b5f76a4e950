import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Field encryption for personal data at rest (身份证号码): AES-256-GCM with a random IV, plus a keyed
 * hash (HMAC-SHA256 under a key derived from the same secret) for equality look-ups without decrypting.
 */
export interface FieldCipher {
  encrypt(plain: string): string;
  decrypt(token: string): string;
  keyedHash(plain: string): string;
}

export function createFieldCipher(secret: Buffer): FieldCipher {
  if (secret.length !== 32) throw new Error('DATA_KEY 必须是 32 字节（64 个十六进制字符或 base64 编码）');
  const encKey = Buffer.from(crypto.hkdfSync('sha256', secret, Buffer.alloc(0), 'field-encryption', 32));
  const macKey = Buffer.from(crypto.hkdfSync('sha256', secret, Buffer.alloc(0), 'lookup-hash', 32));
  return {
    encrypt(plain) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', encKey, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    decrypt(token) {
      const [version, iv, tag, body] = token.split('.');
      if (version !== 'v1' || !iv || !tag || !body) throw new Error('unknown ciphertext format');
      const decipher = crypto.createDecipheriv('aes-256-gcm', encKey, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
    keyedHash(plain) {
      return crypto.createHmac('sha256', macKey).update(plain).digest('base64url');
    },
  };
}

export function parseKey(text: string): Buffer {
  const t = text.trim();
  return /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
}

/** DATA_KEY when set; otherwise a key generated once into the data directory (mode 0600). */
export function loadDataKey(dataKey: string | null, dataDir: string): Buffer {
  if (dataKey) return parseKey(dataKey);
  const file = path.join(dataDir, 'data.key');
  if (fs.existsSync(file)) return parseKey(fs.readFileSync(file, 'utf8'));
  fs.mkdirSync(dataDir, { recursive: true });
  const key = crypto.randomBytes(32);
  fs.writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

export const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('base64url');
export const randomToken = (bytes = 32) => crypto.randomBytes(bytes).toString('base64url');
export const randomDigits = (n: number) => Array.from({ length: n }, () => crypto.randomInt(0, 10)).join('');
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
