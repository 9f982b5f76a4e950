import { describe, it, expect } from 'vitest';
import { APPLICATION_FIELDS, applicationDraftSchema, checkCompleteness, formIssuesFromZod, type ApplicationForm } from './application';

function withCheck(body17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = body17.split('').reduce((acc, c, i) => acc + Number(c) * w[i]!, 0);
  return body17 + '10X98765432'[sum % 11];
}

const ID = withCheck('65010219800501001');

const complete: ApplicationForm = {
  idNumber: ID,
  name: '测试人员',
  gender: '男',
  ethnicity: '维吾尔族',
  birthDate: '1980-05-01',
  nativePlace: '新疆喀什',
  politicalStatus: '中共党员',
  education: '博士研究生',
  degree: '博士',
  school: '新疆大学',
  major: '作物遗传育种',
  workUnit: '新疆农业科学院',
  duties: '棉花育种研究',
  title: '研究员',
  officePhone: '0991-6386020',
  mobile: '13912345678',
  email: 'test@xjaas.cn',
  address: '乌鲁木齐市沙依巴克区南昌路403号',
  postcode: '830091',
  field: '经济主战场与成果转化',
  mainDeeds: '长期扎根南疆棉区开展育种研究。',
  story: '二十年如一日奔走在田间地头。',
  worksInXinjiang: true,
  isAcademician: false,
  previousWinner: false,
  activeMilitary: false,
  civilServant: false,
  seniorOfficial: false,
  nationalHonour: false,
  zuimeiTitle: false,
};

describe('APPLICATION_FIELDS', () => {
  it('lists the manual’s fields in order, all required', () => {
    const keys = APPLICATION_FIELDS.map((f) => f.key);
    expect(keys.slice(0, 4)).toEqual(['idNumber', 'name', 'gender', 'ethnicity']);
    expect(keys).toHaveLength(30);
    expect(new Set(keys).size).toBe(30);
    expect(keys.indexOf('field')).toBe(19);
    expect(APPLICATION_FIELDS.every((f) => f.required)).toBe(true);
    expect(APPLICATION_FIELDS.filter((f) => f.section === 'eligibility').every((f) => f.kind === 'bool')).toBe(true);
    expect(APPLICATION_FIELDS.find((f) => f.key === 'mainDeeds')).toMatchObject({ kind: 'textarea', maxLength: 5000, help: '1500字以内为宜' });
    expect(keys.sort()).toEqual(Object.keys(complete).sort());
  });
});

describe('applicationDraftSchema', () => {
  it('accepts a partial form, treats blanks as absent and strips unknown keys', () => {
    const r = applicationDraftSchema.safeParse({ name: ' 张三 ', mobile: '', email: '   ', gender: null, extra: 'x' });
    expect(r.success).toBe(true);
    expect(r.data?.name).toBe('张三');
    expect(r.data?.mobile).toBeUndefined();
    expect(r.data).not.toHaveProperty('extra');
    expect(applicationDraftSchema.safeParse({}).success).toBe(true);
  });

  it('accepts a complete form and normalises a lowercase x', () => {
    expect(applicationDraftSchema.safeParse(complete).success).toBe(true);
    const withX = withCheck('11010519750811002');
    expect(withX.endsWith('X')).toBe(true);
    const r = applicationDraftSchema.safeParse({ idNumber: ` ${withX.toLowerCase()} ` });
    expect(r.success).toBe(true);
    expect(r.data?.idNumber).toBe(withX);
  });

  it('rejects a bad mobile with a Chinese message on path mobile', () => {
    const r = applicationDraftSchema.safeParse({ name: '张三', mobile: '123' });
    expect(r.success).toBe(false);
    const issues = r.error!.issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path[0]).toBe('mobile');
    expect(issues[0]?.message).toMatch(/手机号码格式不正确.*11位/);
    expect(formIssuesFromZod(r.error!)).toEqual([{ field: 'mobile', label: '手机', message: issues[0]?.message }]);
  });

  it('rejects bad values of each kind', () => {
    const r = applicationDraftSchema.safeParse({
      idNumber: ID.slice(0, 17) + (ID[17] === '0' ? '1' : '0'),
      ethnicity: '火星族',
      birthDate: '1980-02-30',
      postcode: '8300',
      name: '张'.repeat(51),
      mainDeeds: '事'.repeat(5001),
      worksInXinjiang: 'yes',
      school: 42,
    });
    expect(r.success).toBe(false);
    const byField = Object.fromEntries(formIssuesFromZod(r.error!).map((i) => [i.field, i.message]));
    expect(byField.idNumber).toBe('身份证号码校验位不正确，请核对后重新填写');
    expect(byField.ethnicity).toContain('请从下拉列表中选择');
    expect(byField.birthDate).toContain('YYYY-MM-DD');
    expect(byField.postcode).toContain('6位数字');
    expect(byField.name).toContain('不能超过50字');
    expect(byField.mainDeeds).toContain('不能超过5000字');
    expect(byField.worksInXinjiang).toContain('请选择“是”或“否”');
    expect(byField.school).toContain('毕业院校');
    expect(Object.values(byField).every((m) => /[\u4e00-\u9fa5]/.test(m))).toBe(true);
  });
});

describe('checkCompleteness', () => {
  it('returns [] for a complete valid form', () => {
    expect(checkCompleteness(complete)).toEqual([]);
  });

  it('lists every missing required field by label on an empty form', () => {
    const issues = checkCompleteness({});
    expect(issues.map((i) => i.field)).toEqual(APPLICATION_FIELDS.map((f) => f.key));
    expect(issues.find((i) => i.field === 'name')).toEqual({ field: 'name', label: '申请人姓名', message: '请填写申请人姓名' });
    expect(issues.find((i) => i.field === 'ethnicity')?.message).toBe('请选择民族');
    expect(issues.find((i) => i.field === 'worksInXinjiang')?.message).toBe('请选择是否在新疆工作');
    expect(issues.find((i) => i.field === 'mainDeeds')?.message).toBe('请填写主要事迹');
  });

  it('treats blank strings as missing and reports format errors of present values', () => {
    const issues = checkCompleteness({ ...complete, story: '  ', email: 'not-an-email' });
    expect(issues.map((i) => i.field)).toEqual(['email', 'story']);
    expect(issues[1]?.message).toBe('请填写感人故事');
  });

  it('reports a birth date or gender that disagrees with the ID number', () => {
    const issues = checkCompleteness({ ...complete, birthDate: '1981-05-01', gender: '女' });
    expect(issues).toEqual([
      { field: 'birthDate', label: '出生日期', message: '出生日期与身份证号码不一致：身份证号码中为1980-05-01' },
      { field: 'gender', label: '性别', message: '性别与身份证号码不一致：身份证号码中为男' },
    ]);
  });

  it('counts a false eligibility answer as answered', () => {
    const issues = checkCompleteness({ ...complete, worksInXinjiang: undefined });
    expect(issues).toEqual([{ field: 'worksInXinjiang', label: '是否在新疆工作', message: '请选择是否在新疆工作' }]);
  });
});
