import type pg from 'pg';
import { REGIONS, UNIT_TYPES } from '../core';

/**
 * Bulk data for the benchmark, written with set-based SQL (generate_series) straight into the tables the
 * platform's migrations created: no HTTP, no use cases, so 100,000 applications take seconds.
 *
 * Shape (deterministic, so runs are comparable):
 * - `units` units, active, one unit account each (`benchunit<n>`); unit n = region × kind of office.
 * - `applications` applicants (`benchapp<n>`) with one application each in the 2023 campaign,
 *   numbered ZMKJ2023<n> with seq = n, unit_id round-robin: application n belongs to unit 1 + (n-1) % units.
 *   Name and 工作单位 are picked from the lists below by hashtext(n), so every unit gets a mix of both.
 * - k = (n-1) / units is the application's place within its unit; it decides the status:
 *   k < 3 → submitted_to_org (the unit quota is 3), k % 10 = 8 → applicant (a draft: no unit, never
 *   submitted), k % 10 = 9 → returned_to_applicant, everything else → submitted_to_unit (~80%).
 * - transferred_at spread over the last 60 days; application_units for every non-draft; one `submit`
 *   event per non-draft so application_events has a realistic size.
 * - a 修改意见 (return_opinion) on every submitted_to_unit and returned_to_applicant application, so the
 *   unit's 退回 is allowed on any of them.
 * - one organizer `benchorg`.
 * Every account has the same password; its hash is computed once by the caller. Ends with VACUUM ANALYZE.
 */
export interface GeneratedData {
  campaignId: string;
  units: number;
  applications: number;
}

export const UNIT_USERNAME = (n: number) => `benchunit${n}`;
export const ORGANIZER_USERNAME = 'benchorg';

/** Where the applicants work: what 工作单位 holds and what the workUnit filter searches. */
export const INSTITUTIONS = [
  '新疆大学',
  '新疆农业大学',
  '新疆医科大学',
  '石河子大学',
  '塔里木大学',
  '新疆师范大学',
  '新疆财经大学',
  '喀什大学',
  '伊犁师范大学',
  '昌吉学院',
  '新疆农业科学院',
  '新疆畜牧科学院',
  '新疆林业科学院',
  '新疆农垦科学院',
  '中国科学院新疆生态与地理研究所',
  '中国科学院新疆理化技术研究所',
  '中国科学院新疆天文台',
  '新疆医科大学第一附属医院',
  '新疆维吾尔自治区人民医院',
  '新疆维吾尔自治区中医医院',
  '乌鲁木齐市第一人民医院',
  '克拉玛依市中心医院',
  '喀什地区第一人民医院',
  '和田地区人民医院',
  '阿克苏地区第一人民医院',
  '伊犁哈萨克自治州友谊医院',
  '新疆维吾尔自治区疾病预防控制中心',
  '中国石油新疆油田分公司',
  '中国石油塔里木油田分公司',
  '新疆金风科技股份有限公司',
  '特变电工股份有限公司',
  '新疆天业（集团）有限公司',
  '新疆中泰（集团）有限责任公司',
  '新疆维吾尔自治区气象局',
  '新疆维吾尔自治区地质矿产勘查开发局',
  '新疆水利水电勘测设计研究院',
  '新疆维吾尔自治区农业技术推广总站',
  '新疆维吾尔自治区畜牧总站',
  '新疆维吾尔自治区林业和草原局',
  '新疆维吾尔自治区科学技术情报研究所',
  '新疆维吾尔自治区产品质量监督检验研究院',
  '新疆维吾尔自治区地震局',
  '吐鲁番市葡萄研究所',
  '哈密市农业技术推广中心',
  '博乐市农业技术推广中心',
  '阿勒泰地区林业科学研究所',
  '塔城地区畜牧兽医局',
  '巴音郭楞蒙古自治州农业科学研究所',
  '和田地区林业和草原局',
  '昌吉回族自治州农业科学研究院',
];

const NAMES = [
  '古丽娜尔·艾力',
  '买买提·吐尔逊',
  '阿依古丽·买买提',
  '艾尔肯·热合曼',
  '热依拉·阿不都',
  '努尔兰·别克',
  '阿迪力·吾斯曼',
  '帕提古丽·努尔',
  '吐尔洪·阿吾提',
  '迪丽努尔·艾山',
  '阿力木·司马义',
  '再努尔·依明',
  '玉素甫·托合提',
  '米日古丽·沙吾提',
  '叶尔兰·哈山',
  '阿依努尔·托列吾',
  '巴特尔',
  '其美格',
  '乌兰',
  '孟和',
  '王建新',
  '李红梅',
  '张伟',
  '刘志刚',
  '陈晓燕',
  '杨建国',
  '赵丽娟',
  '黄海涛',
  '周玉兰',
  '吴国强',
  '徐静',
  '孙立军',
  '马玉兰',
  '马福林',
  '胡春燕',
  '朱振华',
  '高志远',
  '林秀英',
  '何建平',
  '郭晓东',
  '罗新民',
  '梁淑芬',
  '宋天山',
  '郑雪莲',
  '谢文博',
  '韩冬梅',
  '唐明辉',
  '冯瑞',
  '董俊杰',
  '程胡杨',
];

/** 推荐单位 names: a region and a kind of office, unique by construction (15 × 14 ≥ 200). */
const UNIT_KINDS = [
  '科学技术协会',
  '农业技术推广中心',
  '人民医院',
  '林业和草原局',
  '科学技术局',
  '教育局',
  '气象局',
  '水利局',
  '自然资源局',
  '卫生健康委员会',
  '工业和信息化局',
  '畜牧兽医局',
  '疾病预防控制中心',
  '职业技术学院',
];

export async function generate(client: pg.Client, opts: { units: number; applications: number; passwordHash: string }): Promise<GeneratedData> {
  const { units, applications, passwordHash } = opts;
  if (units > REGIONS.length * UNIT_KINDS.length) throw new Error(`at most ${REGIONS.length * UNIT_KINDS.length} units`);
  const { rows: campaignRows } = await client.query<{ id: string }>(
    `select c.id from campaigns c join programs p on p.id = c.program_id where p.code = 'ZMKJ' and c.year = 2023`,
  );
  const campaignId = campaignRows[0]?.id;
  if (!campaignId) throw new Error('the 2023 campaign is missing: openPlatform should have created it');

  await client.query('begin');
  // Units and their accounts.
  await client.query(
    `create temp table bench_units on commit drop as
     select n, gen_random_uuid() as id,
            ($1::text[])[1 + (n - 1) % $4::int] || ($2::text[])[1 + (n - 1) / $4::int] as name,
            ($3::text[])[1 + n % array_length($3::text[], 1)] as type,
            ($1::text[])[1 + (n - 1) % $4::int] as region
       from generate_series(1, $5::int) n`,
    [REGIONS, UNIT_KINDS, UNIT_TYPES, REGIONS.length, units],
  );
  await client.query(
    `insert into units (id, name, type, region, contact_name, contact_phone, status, decided_at)
     select id, name, type, region, '联系人' || n, '139' || lpad(n::text, 8, '0'), 'active', now() from bench_units`,
  );
  await client.query(
    `insert into users (username, password_hash, role, real_name, mobile, unit_id)
     select 'benchunit' || n, $1, 'unit', '联系人' || n, '139' || lpad(n::text, 8, '0'), id from bench_units`,
    [passwordHash],
  );
  await client.query(`insert into users (username, password_hash, role, real_name) values ($1, $2, 'organizer', '自治区科协（基准测试）')`, [
    ORGANIZER_USERNAME,
    passwordHash,
  ]);

  // Applicants: one account and one application each.
  await client.query(
    `create temp table bench_people on commit drop as
     select n, gen_random_uuid() as user_id, gen_random_uuid() as app_id,
            ($1::text[])[1 + abs(hashtext('name' || n)) % array_length($1::text[], 1)] as name,
            ($2::text[])[1 + abs(hashtext('work' || n)) % array_length($2::text[], 1)] as work_unit,
            '138' || lpad(n::text, 8, '0') as mobile,
            1 + (n - 1) % $3::int as unit_n,
            (n - 1) / $3::int as k,
            now() - ((n * 7919) % (60 * 86400)) * interval '1 second' as transferred_at
       from generate_series(1, $4::int) n`,
    [NAMES, INSTITUTIONS, units, applications],
  );
  await client.query(
    `insert into users (id, username, password_hash, role, real_name, mobile, email, created_at)
     select user_id, 'benchapp' || n, $1, 'applicant', name, mobile, 'benchapp' || n || '@example.cn', transferred_at - interval '20 days'
       from bench_people`,
    [passwordHash],
  );
  await client.query(
    `insert into applications (id, campaign_id, year, number, seq, applicant_id, status, unit_id, form, id_hash, applicant_name,
                               work_unit, mobile, pledged_at, return_opinion, transferred_at, created_at, updated_at)
     select p.app_id, $1, 2023, 'ZMKJ2023' || p.n, p.n, p.user_id, s.status,
            case when s.status = 'applicant' then null else u.id end,
            jsonb_build_object('name', p.name, 'workUnit', p.work_unit, 'mobile', p.mobile, 'gender', case when p.n % 2 = 0 then '女' else '男' end,
                               'ethnicity', '维吾尔族', 'birthDate', '1980-05-01', 'field', '经济主战场与成果转化',
                               'mainDeeds', '扎根基层二十年，推广新技术新品种，服务农牧民增收。'),
            md5('bench-id-' || p.n), p.name, p.work_unit, p.mobile,
            case when s.status = 'applicant' then null else p.transferred_at end,
            case when s.status in ('submitted_to_unit', 'returned_to_applicant') then '请补充近三年的主要业绩证明材料。' end,
            case when s.status = 'applicant' then null else p.transferred_at end,
            p.transferred_at - interval '10 days',
            p.transferred_at
       from bench_people p
       join bench_units u on u.n = p.unit_n
       cross join lateral (select case when p.k < 3 then 'submitted_to_org'
                                       when p.k % 10 = 8 then 'applicant'
                                       when p.k % 10 = 9 then 'returned_to_applicant'
                                       else 'submitted_to_unit' end as status) s`,
    [campaignId],
  );
  await client.query(
    `insert into application_units (application_id, unit_id, created_at)
     select id, unit_id, transferred_at from applications where status <> 'applicant' and unit_id is not null`,
  );
  await client.query(
    `insert into application_events (application_id, action, from_status, to_status, actor_id, actor_role, from_name, to_name, actor_name, created_at)
     select a.id, 'submit', 'applicant', 'submitted_to_unit', a.applicant_id, 'applicant', a.applicant_name, u.name, a.applicant_name, a.transferred_at
       from applications a join units u on u.id = a.unit_id where a.status <> 'applicant'`,
  );
  // New applications made through the platform afterwards must not collide with the generated numbers.
  await client.query(`update campaigns set next_seq = $2 where id = $1`, [campaignId, applications + 1]);
  await client.query('commit');
  // what autovacuum would have done by the time anyone queries: statistics, visibility map, hint bits
  await client.query('vacuum analyze');
  return { campaignId, units, applications };
}
