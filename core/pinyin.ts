// Pinyin order for 工作单位 and 推荐单位 names (查询申报表's sorts). PGlite has no ICU collations, so the
// order cannot come from the database: a sort key is computed here, stored with the row and compared
// byte-wise (`collate "C"`) — the same on PGlite and PostgreSQL.
import { pinyin } from 'pinyin-pro';

/**
 * Readings pinyin-pro gets wrong in unit names, by phrase (longest match wins). 什 is shí in every Xinjiang
 * place name (喀什, 塔什库尔干, 阿图什, 乌什); only 什么 reads shén.
 */
const READINGS: Record<string, string[]> = {
  什: ['shi'],
  什么: ['shen', 'me'],
  分行: ['fen', 'hang'],
  总行: ['zong', 'hang'],
  支行: ['zhi', 'hang'],
  尉犁: ['yu', 'li'],
  莎车: ['suo', 'che'],
};
const LONGEST_READING = Math.max(...Object.keys(READINGS).map((k) => Array.from(k).length));

/** A run of digits compares by value: its length (1–9) first, then the digits without leading zeros. */
function numberToken(digits: string): string {
  const n = digits.replace(/^0+(?=\d)/, '');
  return `${Math.min(n.length, 9)}${n}`;
}

/**
 * The sort key of a name: its toneless pinyin syllables in lower case ("新疆农业科学院" → "xin jiang nong ye
 * ke xue yuan"), then " !" and the name itself, so two different names never compare equal and names that
 * read alike keep a fixed order. Compare keys byte-wise (`collate "C"`), never with a locale's collation
 * (which would skip the spaces).
 *
 * - Polyphones are read in context (pinyin-pro: 重庆 chong qing, 银行 yin hang, 市长 shi zhang), with the
 *   corrections in READINGS.
 * - Full-width forms are folded (NFKC: ＡＢＣ１２ → abc 12); Latin letters are lower-cased and a run of them is
 *   one token, so "IBM中国" sorts as "ibm zhong guo".
 * - A run of digits is one token compared by value (第2 before 第10); digits come before letters.
 * - Punctuation and spaces only separate tokens (（筹） sorts as 筹).
 * - Other scripts (Uyghur, characters pinyin-pro does not know) stay as they are, after the Latin letters.
 *
 * Token characters are all ≥ "0", the space after each token is below them and "!" is below any token's
 * first character: so a name sorts before its continuations (新疆 < 新疆大学) and syllable by syllable
 * (xi an < xin).
 */
export function pinyinSortKey(name: string): string {
  const chars = pinyin(name.normalize('NFKC'), { toneType: 'none', type: 'all', v: true });
  const readings = chars.map((c) => (c.isZh && c.pinyin ? c.pinyin.toLowerCase() : null));
  for (let i = 0; i < chars.length; i++) {
    if (!chars[i]!.isZh) continue;
    for (let len = Math.min(LONGEST_READING, chars.length - i); len >= 1; len--) {
      const fix =
        READINGS[
          chars
            .slice(i, i + len)
            .map((c) => c.origin)
            .join('')
        ];
      if (fix && fix.length === len) {
        fix.forEach((p, j) => (readings[i + j] = p));
        break;
      }
    }
  }
  const tokens: string[] = [];
  let run = '';
  const flush = () => {
    if (!run) return;
    for (const part of run.match(/\p{N}+|[^\p{N}]+/gu) ?? []) tokens.push(/^\p{N}+$/u.test(part) && /^\d+$/.test(part) ? numberToken(part) : part);
    run = '';
  };
  chars.forEach((c, i) => {
    const reading = readings[i];
    if (reading) {
      flush();
      tokens.push(reading);
    } else if (/[\p{L}\p{N}]/u.test(c.origin)) {
      run += c.origin.toLowerCase();
    } else {
      flush(); // punctuation, spaces, symbols
    }
  });
  flush();
  return `${tokens.map((t) => `${t} `).join('')}!${name}`;
}
