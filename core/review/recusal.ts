// 回避 (recusal) for the online expert review (issue 13, 7.): when an expert may not review a candidate.
//
// Three reasons, checked in this order (the first that holds is reported):
//   本人     the expert is the candidate: the same 手机 (after removing spaces, hyphens and a +86/0086 prefix) or the
//            same 身份证号码 (the check letter X in either case). Blank numbers never match.
//   同单位   the expert's 工作单位 equals the candidate's 单位名称 or the name of the recommending unit (推荐单位), compared
//            after normaliseOrgName. Blank names never match. Only equality counts: a college and its university
//            (新疆大学化学学院 / 新疆大学) are different names; such conflicts are declared (申报回避).
//   申报回避 a declared conflict for the pair: the expert's own declaration with its reason, or one the organizer
//            (自治区科协) recorded.
//
// Pure: plain objects in, plain objects out. The server loads the rows, calls recusalPairs once per plan and keeps
// the pairs' keys (pairKey) as the planner's forbidden set and as the expert's query scope.

/** An expert as the recusal rule sees it (a 评审专家 account and its profile). */
export interface RecusalExpert {
  id: string;
  /** 工作单位, as imported or typed */
  workUnit?: string | null;
  /** 手机 */
  mobile?: string | null;
  /** 身份证号码, when the platform holds it for this expert (the expert import has no such column) */
  idNumber?: string | null;
}

/** A candidate as the recusal rule sees it: the 申请书's fields and the recommending unit's name. */
export interface RecusalCandidate {
  id: string;
  /** the 申请书's 单位名称 (workUnit) */
  workUnit?: string | null;
  /** the name of the recommending unit (推荐单位) that forwarded the application */
  unitName?: string | null;
  /** the 申请书's 手机 */
  mobile?: string | null;
  /** the 申请书's 身份证号码 (decrypted by the server before the call) */
  idNumber?: string | null;
}

/** Who declared a conflict: the expert (on an assigned candidate) or the organizer. */
export type DeclaredBy = 'expert' | 'organizer';

/** A declared conflict of interest for one (expert, candidate) pair. */
export interface DeclaredRecusal {
  expertId: string;
  candidateId: string;
  by: DeclaredBy;
  /** the reason as written (the expert must give one; the organizer's may be empty) */
  reason?: string | null;
}

export const RECUSAL_CODES = ['本人', '同单位', '申报回避'] as const;
export type RecusalCode = (typeof RECUSAL_CODES)[number];

/** Why an expert may not review a candidate: a code for the database and lists, and a sentence for people. */
export interface RecusalReason {
  code: RecusalCode;
  text: string;
}

/**
 * `normalise` with a bounded memo: the same few values come again and again (an expert's 工作单位 and 手机 against each
 * of a ballot's 40 candidates, on every vote), so each is worked out once. Cleared whole when full. Only for values the
 * database keeps in the clear (names, 手机), never a 身份证号码.
 */
function remembered(normalise: (s: string) => string): (s: string) => string {
  const known = new Map<string, string>();
  return (s) => {
    let out = known.get(s);
    if (out === undefined) {
      if (known.size >= KEPT) known.clear();
      known.set(s, (out = normalise(s)));
    }
    return out;
  };
}

const KEPT = 10_000;

/**
 * An organisation's name as compared for 回避: NFKC (full-width letters, digits and brackets become half-width),
 * Latin letters in lower case, every whitespace character removed (spaces, tabs, U+3000, no-break and zero-width
 * spaces), the brackets （）〔〕【】〖〗［］[] written ().
 */
export const normaliseOrgName: (s: string) => string = remembered(normaliseOrgNameOnce);

function normaliseOrgNameOnce(s: string): string {
  // NFKC again after lower-casing (a few lower-case letters have compatibility forms of their own) and after
  // removing whitespace (a combining mark that followed a space may now compose with the letter before it).
  return s
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[\s\u200B-\u200D\u2060\uFEFF]+/gu, '')
    .replace(/[[〔【〖]/gu, '(')
    .replace(/[\]〕】〗]/gu, ')')
    .normalize('NFKC');
}

/** A mobile number as compared for 本人: half-width digits, no spaces or hyphens, no +86 / 0086 country code. */
export const normaliseMobile: (s: string) => string = remembered(normaliseMobileOnce);

function normaliseMobileOnce(s: string): string {
  const digits = s.normalize('NFKC').replace(/[\s\u200B-\u200D\u2060\uFEFF\-()]+/gu, '');
  const m = /^(?:\+86|0086|86(?=1\d{10}$))(.*)$/u.exec(digits);
  return m ? m[1]! : digits;
}

/**
 * A 身份证号码 as compared for 本人: half-width, no whitespace, the check letter upper-case. Not remembered: a number
 * must not outlive the request in this process's memory (the server passes the keyed hashes, but a caller may not).
 */
export function normaliseIdNumber(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/[\s\u200B-\u200D\u2060\uFEFF]+/gu, '')
    .toUpperCase();
}

const same = (a: string | null | undefined, b: string | null | undefined, normalise: (s: string) => string): boolean => {
  if (!a || !b) return false;
  const na = normalise(a);
  return na !== '' && na === normalise(b);
};

/** The key of an (expert, candidate) pair in sets and maps: `expertId + U+001F + candidateId`. */
export function pairKey(expertId: string, candidateId: string): string {
  return `${expertId}\u001f${candidateId}`;
}

function declaredText(d: DeclaredRecusal): string {
  const reason = d.reason?.trim();
  const who = d.by === 'expert' ? '专家申报回避' : '自治区科协指定回避';
  return reason ? `${who}：${reason}` : who;
}

/** The recusal rule for the automatic reasons only (本人, 同单位). */
function automaticReason(expert: RecusalExpert, candidate: RecusalCandidate): RecusalReason | null {
  if (same(expert.mobile, candidate.mobile, normaliseMobile)) {
    return { code: '本人', text: '专家即候选人本人（手机号码相同），须回避' };
  }
  if (same(expert.idNumber, candidate.idNumber, normaliseIdNumber)) {
    return { code: '本人', text: '专家即候选人本人（身份证号码相同），须回避' };
  }
  if (same(expert.workUnit, candidate.workUnit, normaliseOrgName)) {
    return { code: '同单位', text: `专家工作单位「${expert.workUnit!.trim()}」与候选人单位名称相同，须回避` };
  }
  if (same(expert.workUnit, candidate.unitName, normaliseOrgName)) {
    return { code: '同单位', text: `专家工作单位「${expert.workUnit!.trim()}」与候选人的推荐单位相同，须回避` };
  }
  return null;
}

/**
 * Whether `expert` must not review `candidate`, and why; null when the expert may.
 * `declared` is every declared conflict (of any pair; those of other pairs are ignored), or none.
 * When several reasons hold, 本人 wins over 同单位, which wins over 申报回避.
 */
export function recusalReason(expert: RecusalExpert, candidate: RecusalCandidate, declared: Iterable<DeclaredRecusal> = []): RecusalReason | null {
  const automatic = automaticReason(expert, candidate);
  if (automatic) return automatic;
  let found: DeclaredRecusal | undefined;
  for (const d of declared) {
    if (d.expertId !== expert.id || d.candidateId !== candidate.id) continue;
    // The expert's own declaration, with its reason, is the one shown; else the organizer's.
    if (!found || (found.by === 'organizer' && d.by === 'expert')) found = d;
  }
  return found ? { code: '申报回避', text: declaredText(found) } : null;
}

/**
 * Every recused pair among `experts` × `candidates`, keyed by pairKey(expertId, candidateId), in the experts' order
 * then the candidates'. The key set is the planner's `forbidden`. Declarations of pairs outside the two lists are
 * ignored.
 */
export function recusalPairs(
  experts: readonly RecusalExpert[],
  candidates: readonly RecusalCandidate[],
  declared: Iterable<DeclaredRecusal> = [],
): Map<string, RecusalReason> {
  const byPair = new Map<string, DeclaredRecusal[]>();
  for (const d of declared) {
    const key = pairKey(d.expertId, d.candidateId);
    const list = byPair.get(key);
    if (list) list.push(d);
    else byPair.set(key, [d]);
  }
  const out = new Map<string, RecusalReason>();
  for (const e of experts) {
    for (const c of candidates) {
      const key = pairKey(e.id, c.id);
      const reason = recusalReason(e, c, byPair.get(key) ?? []);
      if (reason) out.set(key, reason);
    }
  }
  return out;
}
