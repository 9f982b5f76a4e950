import type { ApplicationForm } from '../../core';

// Generated 申请书 contents and 身份证号码: the demo seed (server/seed-demo.ts) fills its demo applications with them,
// and the tests build theirs from them (server/testing/factories.ts re-exports both).

/** A valid 18-digit 身份证号码 for a birth date and sex, with a correct check character. */
let idSerial = Math.floor(Math.random() * 400);
/** Distinct by construction within a process: a running serial and a random district of Urumqi. */
export function makeIdNumber(
  birthDate = '1980-05-01',
  gender: '男' | '女' = '男',
  region = `6501${String(2 + Math.floor(Math.random() * 90)).padStart(2, '0')}`,
  serial = idSerial++ % 500,
): string {
  const seq = String(serial * 2 + (gender === '男' ? 1 : 0)).padStart(3, '0');
  const body = region + birthDate.replaceAll('-', '') + seq;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = body.split('').reduce((acc, d, i) => acc + Number(d) * weights[i]!, 0);
  return body + '10X98765432'[sum % 11]!;
}

export function completeForm(over: Partial<ApplicationForm> = {}): ApplicationForm {
  const birthDate = over.birthDate ?? '1985-03-12';
  const gender = (over.gender as '男' | '女' | undefined) ?? '女';
  return {
    idNumber: makeIdNumber(birthDate, gender),
    name: '古丽娜尔',
    gender,
    ethnicity: '维吾尔族',
    birthDate,
    nativePlace: '新疆喀什',
    politicalStatus: '中共党员',
    education: '博士研究生',
    degree: '博士',
    school: '新疆大学',
    major: '作物遗传育种',
    workUnit: '新疆农业科学院',
    duties: '棉花育种研究',
    title: '研究员',
    officePhone: '0991-4502133',
    mobile: '13899990000',
    email: 'gulnar@example.cn',
    address: '乌鲁木齐市沙依巴克区南昌路403号',
    postcode: '830091',
    field: '经济主战场与成果转化',
    mainDeeds: '扎根南疆二十年，培育抗旱棉花新品种6个，累计推广800万亩。',
    story: '她常年住在试验田旁的土坯房里，和农民一起摘棉花、算收成。',
    worksInXinjiang: true,
    isAcademician: false,
    previousWinner: false,
    activeMilitary: false,
    civilServant: false,
    seniorOfficial: false,
    nationalHonour: false,
    zuimeiTitle: false,
    ...over,
  };
}
