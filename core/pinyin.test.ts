import { describe, expect, it } from 'vitest';
import { pinyinSortKey } from './pinyin';

/** Sorted as the database does it with `collate "C"`: by UTF-8 bytes, which for these keys is code-unit order below U+D800. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const sorted = (names: string[]) => [...names].sort((a, b) => byteOrder(pinyinSortKey(a), pinyinSortKey(b)));
const syllables = (name: string) => pinyinSortKey(name).split(' !')[0];

describe('pinyinSortKey', () => {
  it('orders unit names by pinyin, not by character code', () => {
    const names = [
      '中国科学院新疆分院',
      '伊犁哈萨克自治州友谊医院',
      '新疆农业科学院',
      '阿克苏地区第一人民医院',
      '喀什大学',
      '石河子大学',
      '巴音郭楞蒙古自治州科协',
    ];
    expect(sorted(names)).toEqual([
      '阿克苏地区第一人民医院',
      '巴音郭楞蒙古自治州科协',
      '喀什大学',
      '石河子大学',
      '新疆农业科学院',
      '伊犁哈萨克自治州友谊医院',
      '中国科学院新疆分院',
    ]);
    // character codes put 中 (U+4E2D) before 新 (U+65B0): the order this replaces
    expect([...names].sort()).not.toEqual(sorted(names));
  });

  it('is toneless lower-case pinyin, syllable by syllable, a name before its continuations', () => {
    expect(syllables('新疆农业科学院')).toBe('xin jiang nong ye ke xue yuan');
    expect(sorted(['新疆大学', '西安交通大学', '新疆', '信息中心'])).toEqual(['西安交通大学', '新疆', '新疆大学', '信息中心']);
    expect(syllables('绿洲')).toBe('lv zhou');
  });

  it('keeps different names apart: the name is the tie-breaker', () => {
    expect(syllables('中心')).toBe(syllables('忠心'));
    expect(pinyinSortKey('中心')).not.toBe(pinyinSortKey('忠心'));
    expect(byteOrder(pinyinSortKey('中心'), pinyinSortKey('忠心'))).toBe(byteOrder('中心', '忠心'));
    expect(pinyinSortKey('新疆大学')).toBe(pinyinSortKey('新疆大学'));
  });

  it('reads polyphones in context', () => {
    expect(syllables('重庆市科学技术协会')).toMatch(/^chong qing shi/);
    expect(syllables('重点实验室')).toMatch(/^zhong dian/);
    expect(syllables('中国农业银行')).toBe('zhong guo nong ye yin hang');
    expect(syllables('中国银行新疆分行')).toBe('zhong guo yin hang xin jiang fen hang');
    expect(syllables('长江水利委员会')).toMatch(/^chang jiang/);
    expect(syllables('市长办公室')).toMatch(/^shi zhang/);
    expect(syllables('行政学院')).toMatch(/^xing zheng/);
    expect(syllables('喀什地区人民医院')).toMatch(/^ka shi di qu/);
    expect(syllables('塔什库尔干塔吉克自治县')).toMatch(/^ta shi ku er gan/);
    expect(syllables('尉犁县')).toBe('yu li xian');
    expect(syllables('莎车县')).toBe('suo che xian');
    expect(sorted(['银行大厦', '音乐学院', '银河研究所'])).toEqual(['银行大厦', '银河研究所', '音乐学院']); // hang < he
  });

  it('folds full-width forms, lower-cases Latin letters and compares digit runs by value', () => {
    expect(pinyinSortKey('ＡＢＣ１２３（筹）')).toBe(`abc 3123 chou !ＡＢＣ１２３（筹）`);
    expect(syllables('IBM中国研究院')).toBe('ibm zhong guo yan jiu yuan');
    expect(syllables('ibm中国研究院')).toBe(syllables('ＩＢＭ中国研究院'));
    expect(sorted(['新疆第10人民医院', '新疆第2人民医院', '新疆第1人民医院'])).toEqual(['新疆第1人民医院', '新疆第2人民医院', '新疆第10人民医院']);
    expect(syllables('5G联合实验室')).toBe('15 g lian he shi yan shi');
    expect(sorted(['Zeta研究所', '阿尔法公司', 'alpha实验室', '123中心'])).toEqual(['123中心', '阿尔法公司', 'alpha实验室', 'Zeta研究所']);
  });

  it('treats punctuation and spaces as separators only, and copes with empty and unknown text', () => {
    expect(syllables('新疆大学（筹）')).toBe(syllables('新疆大学 筹'));
    expect(pinyinSortKey('')).toBe('!');
    expect(syllables('𠀀研究所')).toBe('𠀀 yan jiu suo');
    expect(syllables('ئۈرۈمچى')).toBe('ئۈرۈمچى');
  });
});
