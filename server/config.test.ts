import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

describe('PG_POOL_MAX', () => {
  it('defaults to 10 and takes a positive integer', () => {
    expect(loadConfig({}).pgPoolMax).toBe(10);
    expect(loadConfig({ PG_POOL_MAX: '' }).pgPoolMax).toBe(10);
    expect(loadConfig({ PG_POOL_MAX: '25' }).pgPoolMax).toBe(25);
  });

  it('refuses anything else at start, in Chinese, naming the variable', () => {
    for (const bad of ['0', '-1', '2.5', 'ten', '1e3', '99999999999999999999']) {
      expect(() => loadConfig({ PG_POOL_MAX: bad }), bad).toThrow(/环境变量 PG_POOL_MAX（数据库连接池的最大连接数）应为正整数/);
    }
  });
});
