// 集中评选 (issue 14, 2.–3.): what closing a 轮次 decides. Pure: the server counts the submitted ballots, reads the
// earlier rounds' results and the 入围名单, and calls closeRound once inside the close's transaction; the result is
// stored as meeting_rounds.result exactly as returned (helper E's selection reads it).
//
// The rules:
//   threshold  a candidate passes a question with 赞成 votes strictly more than passShare × the experts present (签到):
//              at least thresholdOf(present, passShare) votes.
//   places     a round fills placesWin / placesNational places. When no more pass than there are places, every one
//              that passed is elected. When more pass, they are ordered by 赞成 votes, then by the online rank (a
//              smaller rank first; no rank last); candidates equal on both at the boundary are a tie, left for a
//              further round among the tied ('tiebreak'), and those above the tie are elected.
//   next       per question, the places still open after every round so far (totals: settings.winners and
//              nationalRecommendees): a tie left open → 'tiebreak' among the tied; else a shortfall → 'fill' among the
//              rest of the 入围名单 (not yet elected for that question). When both questions need the same round
//              (same purpose, same candidates) it asks both; otherwise 当选 comes first and 全国推荐 waits for its turn
//              (the next close proposes it again, since the standing is recomputed from every round).

export const QUESTIONS = ['win', 'national'] as const;
export type Question = (typeof QUESTIONS)[number];
export const QUESTION_LABELS: Record<Question, string> = {
  win: '当选“新疆最美科技工作者”',
  national: '推荐为全国“最美科技工作者”人选',
};
export const CHOICES = ['yes', 'no', 'abstain'] as const;
export type Choice = (typeof CHOICES)[number];
export const CHOICE_LABELS: Record<Choice, string> = { yes: '赞成', no: '反对', abstain: '弃权' };
export const ROUND_PURPOSES = ['main', 'tiebreak', 'fill'] as const;
export type RoundPurpose = (typeof ROUND_PURPOSES)[number];
export const ROUND_PURPOSE_LABELS: Record<RoundPurpose, string> = { main: '第一轮投票', tiebreak: '同票决选', fill: '补选' };

export interface Counts {
  yes: number;
  no: number;
  abstain: number;
}
export interface QuestionOutcome extends Counts {
  passed: boolean;
}

/** One vote of a submitted ballot. */
export interface CountedVote {
  applicationId: string;
  question: Question;
  choice: Choice;
}

export interface NextRound {
  purpose: Exclude<RoundPurpose, 'main'>;
  questions: Question[];
  candidates: string[];
  placesWin: number;
  placesNational: number;
}

/** meeting_rounds.result, exactly. A question the round did not ask is null for every candidate. */
export interface RoundResult {
  present: number;
  threshold: number;
  candidates: { applicationId: string; win: QuestionOutcome | null; national: QuestionOutcome | null }[];
  /** elected in this round, best first */
  elected: Record<Question, string[]>;
  /** left tied at the boundary in this round */
  tied: Record<Question, string[]>;
  next: NextRound | null;
}

/** The least number of 赞成 votes that is strictly more than passShare × present (1e-9 absorbs binary fractions). */
export function thresholdOf(present: number, passShare: number): number {
  return Math.floor(passShare * present + 1e-9) + 1;
}

/** Counts per candidate and question of the given votes (submitted ballots only: the caller's choice). */
export function tally(candidates: readonly string[], votes: Iterable<CountedVote>): Map<string, Record<Question, Counts>> {
  const out = new Map<string, Record<Question, Counts>>();
  for (const id of candidates) out.set(id, { win: { yes: 0, no: 0, abstain: 0 }, national: { yes: 0, no: 0, abstain: 0 } });
  for (const v of votes) {
    const c = out.get(v.applicationId);
    if (c) c[v.question][v.choice]++;
  }
  return out;
}

/** Where the meeting stands after some closed rounds: who is elected per question, and a tie still open. */
export interface Standing {
  elected: Record<Question, string[]>;
  /** the tie left by the latest round that asked the question (empty when that round left none) */
  tied: Record<Question, string[]>;
}

/** The standing after the given closed rounds, oldest first. */
export function standingOf(rounds: readonly { questions: readonly Question[]; result: RoundResult }[]): Standing {
  const s: Standing = { elected: { win: [], national: [] }, tied: { win: [], national: [] } };
  for (const r of rounds) {
    for (const q of r.questions) {
      s.elected[q].push(...r.result.elected[q].filter((id) => !s.elected[q].includes(id)));
      s.tied[q] = [...r.result.tied[q]];
    }
  }
  return s;
}

export interface CloseInput {
  present: number;
  passShare: number;
  round: { questions: readonly Question[]; placesWin: number; placesNational: number; candidates: readonly string[] };
  /** the votes of the submitted ballots */
  votes: Iterable<CountedVote>;
  /** online rank per candidate (shortlist_entries.online.rank); missing or null: after every ranked one */
  onlineRank: Readonly<Record<string, number | null | undefined>>;
  /** the 入围名单, in its order */
  shortlist: readonly string[];
  /** the standing before this round (standingOf the earlier closed rounds) */
  before: Standing;
  /** the meeting's totals: settings.winners and settings.nationalRecommendees */
  totals: Record<Question, number>;
}

const placesOf = (round: CloseInput['round'], q: Question) => (q === 'win' ? round.placesWin : round.placesNational);

/** Orders by 赞成 votes (more first), then the online rank (smaller first, none last). */
function orderKey(yes: number, rank: number | null | undefined): [number, number] {
  return [-yes, rank ?? Number.POSITIVE_INFINITY];
}
const sameKey = (a: [number, number], b: [number, number]) => a[0] === b[0] && a[1] === b[1];
const compareKey = (a: [number, number], b: [number, number]) => a[0] - b[0] || (a[1] === b[1] ? 0 : a[1] < b[1] ? -1 : 1);

/** Applies the threshold and the places of one question: elected (best first) and the tie at the boundary. */
export function decideQuestion(
  passed: readonly { id: string; yes: number; rank: number | null | undefined }[],
  places: number,
): { elected: string[]; tied: string[] } {
  const sorted = passed.map((p, i) => ({ ...p, key: orderKey(p.yes, p.rank), i })).sort((a, b) => compareKey(a.key, b.key) || a.i - b.i);
  if (sorted.length <= places) return { elected: sorted.map((p) => p.id), tied: [] };
  if (places <= 0) return { elected: [], tied: [] };
  const boundary = sorted[places - 1]!.key;
  if (!sameKey(boundary, sorted[places]!.key)) return { elected: sorted.slice(0, places).map((p) => p.id), tied: [] };
  const group = sorted.filter((p) => sameKey(p.key, boundary));
  return { elected: sorted.filter((p) => compareKey(p.key, boundary) < 0).map((p) => p.id), tied: group.map((p) => p.id) };
}

/** What the next round must be, from the standing after a close and the meeting's totals (null: nothing left). */
export function nextRoundOf(standing: Standing, totals: Record<Question, number>, shortlist: readonly string[]): NextRound | null {
  const needs: { q: Question; purpose: NextRound['purpose']; candidates: string[]; places: number }[] = [];
  for (const q of QUESTIONS) {
    const places = totals[q] - standing.elected[q].length;
    if (places <= 0) continue;
    if (standing.tied[q].length) needs.push({ q, purpose: 'tiebreak', candidates: [...standing.tied[q]], places });
    else {
      const rest = shortlist.filter((id) => !standing.elected[q].includes(id));
      if (rest.length) needs.push({ q, purpose: 'fill', candidates: rest, places });
    }
  }
  const [first, second] = needs;
  if (!first) return null;
  const both =
    second &&
    second.purpose === first.purpose &&
    second.candidates.length === first.candidates.length &&
    second.candidates.every((id, i) => id === first.candidates[i]);
  const asked = both ? [first, second] : [first];
  return {
    purpose: first.purpose,
    questions: asked.map((n) => n.q),
    candidates: first.candidates,
    placesWin: asked.find((n) => n.q === 'win')?.places ?? 0,
    placesNational: asked.find((n) => n.q === 'national')?.places ?? 0,
  };
}

/** Closes a round: counts, threshold, elected and tied per question, and the next round. */
export function closeRound(input: CloseInput): RoundResult {
  const { round } = input;
  const threshold = thresholdOf(input.present, input.passShare);
  const counts = tally(round.candidates, input.votes);
  const asked = new Set(round.questions);
  const elected: Record<Question, string[]> = { win: [], national: [] };
  const tied: Record<Question, string[]> = { win: [], national: [] };
  const candidates = round.candidates.map((id) => {
    const c = counts.get(id)!;
    const outcome = (q: Question): QuestionOutcome | null => (asked.has(q) ? { ...c[q], passed: c[q].yes >= threshold } : null);
    return { applicationId: id, win: outcome('win'), national: outcome('national') };
  });
  for (const q of round.questions) {
    const passed = candidates.filter((c) => c[q]!.passed).map((c) => ({ id: c.applicationId, yes: c[q]!.yes, rank: input.onlineRank[c.applicationId] }));
    const already = new Set(input.before.elected[q]);
    const d = decideQuestion(
      passed.filter((p) => !already.has(p.id)),
      placesOf(round, q),
    );
    elected[q] = d.elected;
    tied[q] = d.tied;
  }
  const after: Standing = {
    elected: { win: [...input.before.elected.win], national: [...input.before.elected.national] },
    tied: { win: [...input.before.tied.win], national: [...input.before.tied.national] },
  };
  for (const q of round.questions) {
    after.elected[q].push(...elected[q]);
    after.tied[q] = tied[q];
  }
  return { present: input.present, threshold, candidates, elected, tied, next: nextRoundOf(after, input.totals, input.shortlist) };
}
