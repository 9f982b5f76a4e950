import { parseArgs } from 'node:util';
import { asc, eq } from 'drizzle-orm';
import { parse } from './http';
import { loadConfig } from './config';
import { openPlatform } from './services';
import { users, units } from './db/schema';
import { hashPassword } from './auth/passwords';
import { AppError } from './errors';
import { createUnitAccount } from './usecases/accounts';
import { passwordSchema, text, unitCreateSchema, usernameSchema, ROLE_LABELS, type Role } from '../core';
import { z } from 'zod';
import { seedDemo } from './seed-demo';

const USAGE = `用法：
  npm run cli -- create-organizer --username U --password P [--name 姓名]
  npm run cli -- create-unit --name 单位名称 --type 单位类型 --region 地区 --username U --password P [--contact 联系人] [--phone 电话]
  npm run cli -- list-users
  npm run seed:demo`;

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      username: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' }, type: { type: 'string' },
      region: { type: 'string' }, contact: { type: 'string' }, phone: { type: 'string' },
    },
  });
  if (!command || !['create-organizer', 'create-unit', 'list-users', 'seed-demo'].includes(command)) {
    console.log(USAGE);
    process.exit(command ? 2 : 0);
  }
  const platform = await openPlatform(loadConfig());
  const s = platform.services;
  try {
    if (command === 'create-organizer') {
      const input = parse(z.object({ username: usernameSchema, password: passwordSchema, name: text('姓名').optional() }), values);
      await s.db.insert(users).values({
        username: input.username.toLowerCase(), passwordHash: await hashPassword(input.password), role: 'organizer', realName: input.name ?? '自治区科协管理员',
      });
      console.log(`已创建自治区科协账号 ${input.username}`);
    } else if (command === 'create-unit') {
      const input = parse(unitCreateSchema, {
        unitName: values.name, unitType: values.type, region: values.region, contactName: values.contact ?? '单位管理员',
        contactPhone: values.phone ?? '0991-0000000', username: values.username, password: values.password,
      });
      const unit = await createUnitAccount(s, input, { organizerId: '00000000-0000-0000-0000-000000000000' });
      console.log(`已创建推荐单位 ${unit.name}（${unit.region}），账号 ${input.username}，已通过审核可直接登录`);
    } else if (command === 'list-users') {
      const rows = await s.db.select({ user: users, unit: units }).from(users).leftJoin(units, eq(units.id, users.unitId)).orderBy(asc(users.role), asc(users.username));
      console.log(['用户名', '角色', '姓名', '单位', '单位状态'].join('\t'));
      for (const { user, unit } of rows) {
        console.log([user.username, ROLE_LABELS[user.role as Role] ?? user.role, user.realName, unit?.name ?? '', unit?.status ?? ''].join('\t'));
      }
    } else {
      await seedDemo(s);
    }
  } finally {
    await platform.close();
  }
}

main().catch((err: unknown) => {
  if (err instanceof AppError) console.error(`错误：${err.message}`);
  else console.error(`错误：${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
