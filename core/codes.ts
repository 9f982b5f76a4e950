// Code tables shared by the server (validation, statistics) and the web (select options).
// Chinese tables are plain `readonly string[]` so callers can test membership with `.includes(value)`.

/** The 56 民族 in GB/T 3304 code order (01 汉族 … 56 基诺族). */
export const ETHNIC_GROUPS: readonly string[] = [
  '汉族',
  '蒙古族',
  '回族',
  '藏族',
  '维吾尔族',
  '苗族',
  '彝族',
  '壮族',
  '布依族',
  '朝鲜族',
  '满族',
  '侗族',
  '瑶族',
  '白族',
  '土家族',
  '哈尼族',
  '哈萨克族',
  '傣族',
  '黎族',
  '傈僳族',
  '佤族',
  '畲族',
  '高山族',
  '拉祜族',
  '水族',
  '东乡族',
  '纳西族',
  '景颇族',
  '柯尔克孜族',
  '土族',
  '达斡尔族',
  '仫佬族',
  '羌族',
  '布朗族',
  '撒拉族',
  '毛南族',
  '仡佬族',
  '锡伯族',
  '阿昌族',
  '普米族',
  '塔吉克族',
  '怒族',
  '乌孜别克族',
  '俄罗斯族',
  '鄂温克族',
  '德昂族',
  '保安族',
  '裕固族',
  '京族',
  '塔塔尔族',
  '独龙族',
  '鄂伦春族',
  '赫哲族',
  '门巴族',
  '珞巴族',
  '基诺族',
];

export const POLITICAL_STATUSES: readonly string[] = [
  '中共党员',
  '中共预备党员',
  '共青团员',
  '民革党员',
  '民盟盟员',
  '民建会员',
  '民进会员',
  '农工党党员',
  '致公党党员',
  '九三学社社员',
  '台盟盟员',
  '无党派人士',
  '群众',
];

export const EDUCATION_LEVELS: readonly string[] = ['博士研究生', '硕士研究生', '大学本科', '大学专科', '中等专科', '高中', '初中及以下'];

export const DEGREES: readonly string[] = ['博士', '硕士', '学士', '无'];

export const GENDERS: readonly string[] = ['男', '女'];

/** Xinjiang's 14 prefecture-level divisions in official order, then units at autonomous-region level. */
export const REGIONS: readonly string[] = [
  '乌鲁木齐市',
  '克拉玛依市',
  '吐鲁番市',
  '哈密市',
  '昌吉回族自治州',
  '博尔塔拉蒙古自治州',
  '巴音郭楞蒙古自治州',
  '阿克苏地区',
  '克孜勒苏柯尔克孜自治州',
  '喀什地区',
  '和田地区',
  '伊犁哈萨克自治州',
  '塔城地区',
  '阿勒泰地区',
  '自治区级',
];

/** The recommending-unit categories addressed by the notice. */
export const UNIT_TYPES: readonly string[] = ['地州市科协', '自治区学会（协会、研究会）', '企业科协', '高校科协', '其他有关单位'];

/** 推荐领域: the five directions of 评选标准 2.业绩突出. */
export const RECOMMEND_FIELDS: readonly string[] = [
  '前沿领域和基础研究',
  '国家重大需求与关键核心技术',
  '经济主战场与成果转化',
  '人民生命健康',
  '服务社会（乡村振兴、共同富裕、公众科学素质）',
];

export const ROLES = ['applicant', 'unit', 'organizer', 'expert'] as const;
export type Role = (typeof ROLES)[number];
export const ROLE_LABELS: Record<Role, string> = {
  applicant: '申报人',
  unit: '推荐单位',
  organizer: '自治区科协',
  expert: '评审专家',
};

export const UNIT_STATUSES = ['pending', 'active', 'refused', 'disabled'] as const;
export type UnitStatus = (typeof UNIT_STATUSES)[number];
export const UNIT_STATUS_LABELS: Record<UnitStatus, string> = {
  pending: '待审核',
  active: '已通过',
  refused: '未通过',
  disabled: '已停用',
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isUnitStatus(value: unknown): value is UnitStatus {
  return typeof value === 'string' && (UNIT_STATUSES as readonly string[]).includes(value);
}
