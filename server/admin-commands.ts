// The shell's administration commands (README, 'Administration from the shell'), run on open services: by
// server/cli.ts directly, or by the running server for a CLI that finds the PGlite data directory in use
// (server/admin-socket.ts).
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { passwordSchema, text, unitCreateSchema, usernameSchema, ROLE_LABELS, type Role } from '../core';
import type { Services } from './context';
import { users, units } from './db/schema';
import { hashPassword } from './auth/passwords';
import { parse } from './http';
import { AppError } from './errors';
import { createUnitAccount } from './usecases/accounts';
import { formatDemoReport, seedDemo } from './seed-demo';
import { formatAuditVerification, verifyAuditLog } from './audit';
import { createBackup } from './backup/backup';

export const ADMIN_COMMANDS = ['create-organizer', 'create-unit', 'list-users', 'seed-demo', 'backup', 'audit-verify'] as const;
export type AdminCommand = (typeof ADMIN_COMMANDS)[number];
export const isAdminCommand = (c: unknown): c is AdminCommand => typeof c === 'string' && (ADMIN_COMMANDS as readonly string[]).includes(c);

/** the command-line options, as parseArgs gives them (every one a string) */
export type AdminOptions = Partial<Record<'username' | 'password' | 'name' | 'type' | 'region' | 'contact' | 'phone' | 'mobile' | 'email' | 'to', string>>;
/** `to`: backup's target directory (an absolute path: the CLI resolves it before sending it to a running server) */
export const ADMIN_OPTION_NAMES = ['username', 'password', 'name', 'type', 'region', 'contact', 'phone', 'mobile', 'email', 'to'] as const;

/** Runs one command and returns what it prints; a refusal is thrown (AppError with a Chinese message). */
export async function runAdminCommand(s: Services, command: AdminCommand, values: AdminOptions): Promise<string> {
  if (command === 'create-organizer') {
    const input = parse(z.object({ username: usernameSchema, password: passwordSchema, name: text('姓名').optional() }), {
      username: values.username,
      password: values.password,
      name: values.name,
    });
    await s.db.insert(users).values({
      username: input.username.toLowerCase(),
      passwordHash: await hashPassword(input.password),
      role: 'organizer',
      realName: input.name ?? '自治区科协管理员',
      // a password given on the command line: its owner sets their own at first log-in
      mustChangePassword: true,
    });
    return `已创建自治区科协账号 ${input.username}，首次登录时须修改密码并开启两步验证`;
  }
  if (command === 'create-unit') {
    const input = parse(
      unitCreateSchema,
      {
        unitName: values.name,
        unitType: values.type,
        region: values.region,
        contactName: values.contact ?? '单位管理员',
        contactPhone: values.phone ?? values.mobile,
        mobile: values.mobile,
        email: values.email,
        username: values.username,
        password: values.password,
      },
      {
        contactPhone: '联系电话（--phone）',
        mobile: '手机（--mobile）',
        email: '电子邮箱（--email）',
        unitName: '单位名称（--name）',
        unitType: '单位类型（--type）',
        region: '所在地区（--region）',
      },
    );
    const unit = await createUnitAccount(s, input, { organizerId: '00000000-0000-0000-0000-000000000000' }, { mustChangePassword: true });
    return `已创建推荐单位 ${unit.name}（${unit.region}），账号 ${input.username}，已通过审核可直接登录（首次登录时须修改密码）`;
  }
  if (command === 'list-users') {
    const rows = await s.db
      .select({ user: users, unit: units })
      .from(users)
      .leftJoin(units, eq(units.id, users.unitId))
      .orderBy(asc(users.role), asc(users.username));
    const lines = [['用户名', '角色', '姓名', '单位', '单位状态'].join('\t')];
    for (const { user, unit } of rows) {
      lines.push([user.username, ROLE_LABELS[user.role as Role] ?? user.role, user.realName, unit?.name ?? '', unit?.status ?? ''].join('\t'));
    }
    return lines.join('\n');
  }
  if (command === 'backup') {
    if (!values.to) throw new AppError('VALIDATION', '请用 --to 指定备份目录（一个新的或空的目录），如 npm run cli -- backup --to /srv/backup/2026-12-01');
    return (await createBackup(s, values.to)).report;
  }
  if (command === 'audit-verify') {
    // problems are a refusal: the CLI prints them after 错误： and exits with 1
    const verification = await verifyAuditLog(s.db);
    const report = formatAuditVerification(verification);
    if (verification.problems.length) throw new AppError('CONFLICT', report);
    return report;
  }
  return formatDemoReport(await seedDemo(s));
}
