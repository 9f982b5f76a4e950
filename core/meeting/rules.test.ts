import { describe, expect, it } from 'vitest';
import { closeRound, decideQuestion, nextRoundOf, standingOf, tally, thresholdOf, type CloseInput, type CountedVote, type Question } from './rules';

const empty = () => ({ elected: { win: [], national: [] }, tied: { win: [], national: [] } });

/** `yes[i]` 赞成 votes for candidate i on `q` (the rest of `present` vote 反对). */
function votesFor(ids: string[], q: Question, yes: number[], present: number): CountedVote[] {
  return ids.flatMap((id, i) =>
    Array.from({ length: present }, (_, k) => ({ applicationId: id, question: q, choice: k < yes[i]! ? ('yes' as const) : ('no' as const) })),
  );
}

function input(over: Partial<CloseInput> & { ids: string[] }): CloseInput {
  return {
    present: 9,
    passShare: 0.5,
    round: { questions: ['win'], placesWin: 2, placesNational: 0, candidates: over.ids },
    votes: [],
    onlineRank: Object.fromEntries(over.ids.map((id, i) => [id, i + 1])),
    shortlist: over.ids,
    before: empty(),
    totals: { win: 2, national: 0 },
    ...over,
  };
}

describe('thresholdOf: strictly more than passShare × present', () => {
  it('half of 9 is 4.5: 5 votes pass; half of 10 is 5: 6 votes pass', () => {
    expect(thresholdOf(9, 0.5)).toBe(5);
    expect(thresholdOf(10, 0.5)).toBe(6);
  });
  it('binary fractions: 0.57 × 100 is 57 exactly, so 58 are needed; 0.1 × 30 = 3, so 4; 2/3 of 9 = 6, so 7', () => {
    expect(0.57 * 100).toBeLessThan(57); // 56.99999999999999 in binary
    expect(thresholdOf(100, 0.57)).toBe(58);
    expect(thresholdOf(30, 0.1)).toBe(4);
    expect(thresholdOf(9, 2 / 3)).toBe(7);
  });
  it('nobody present: one vote would be needed (none can come)', () => {
    expect(thresholdOf(0, 0.5)).toBe(1);
  });
  it('passShare 0 and 1: 1 vote, and more than everyone present (nobody passes)', () => {
    expect(thresholdOf(5, 0)).toBe(1);
    expect(thresholdOf(5, 1)).toBe(6);
  });
});

describe('tally', () => {
  it('counts each question and choice, ignoring candidates not in the round', () => {
    const t = tally(
      ['a', 'b'],
      [
        { applicationId: 'a', question: 'win', choice: 'yes' },
        { applicationId: 'a', question: 'win', choice: 'abstain' },
        { applicationId: 'a', question: 'national', choice: 'no' },
        { applicationId: 'z', question: 'win', choice: 'yes' },
      ],
    );
    expect(t.get('a')).toEqual({ win: { yes: 1, no: 0, abstain: 1 }, national: { yes: 0, no: 1, abstain: 0 } });
    expect(t.get('b')).toEqual({ win: { yes: 0, no: 0, abstain: 0 }, national: { yes: 0, no: 0, abstain: 0 } });
    expect(t.has('z')).toBe(false);
  });
});

describe('decideQuestion', () => {
  it('fewer passed than places: all elected, best first', () => {
    expect(
      decideQuestion(
        [
          { id: 'a', yes: 5, rank: 3 },
          { id: 'b', yes: 7, rank: 9 },
        ],
        3,
      ),
    ).toEqual({ elected: ['b', 'a'], tied: [] });
  });
  it('more than places: by 赞成, then the online rank breaks an equal count', () => {
    const d = decideQuestion(
      [
        { id: 'a', yes: 6, rank: 4 },
        { id: 'b', yes: 6, rank: 2 },
        { id: 'c', yes: 5, rank: 1 },
      ],
      2,
    );
    expect(d).toEqual({ elected: ['b', 'a'], tied: [] });
  });
  it('equal on both at the boundary: a tie among them, those above elected', () => {
    const d = decideQuestion(
      [
        { id: 'a', yes: 8, rank: 5 },
        { id: 'b', yes: 6, rank: 2 },
        { id: 'c', yes: 6, rank: 2 },
        { id: 'd', yes: 6, rank: 2 },
      ],
      2,
    );
    expect(d).toEqual({ elected: ['a'], tied: ['b', 'c', 'd'] });
  });
  it('a tie just inside the places is no tie', () => {
    const d = decideQuestion(
      [
        { id: 'a', yes: 6, rank: 2 },
        { id: 'b', yes: 6, rank: 2 },
        { id: 'c', yes: 5, rank: 1 },
      ],
      2,
    );
    expect(d).toEqual({ elected: ['a', 'b'], tied: [] });
  });
  it('no online rank sorts last; two without rank and equal votes tie', () => {
    expect(
      decideQuestion(
        [
          { id: 'a', yes: 6, rank: null },
          { id: 'b', yes: 6, rank: 30 },
        ],
        1,
      ),
    ).toEqual({ elected: ['b'], tied: [] });
    expect(
      decideQuestion(
        [
          { id: 'a', yes: 6, rank: null },
          { id: 'b', yes: 6, rank: undefined },
        ],
        1,
      ),
    ).toEqual({ elected: [], tied: ['a', 'b'] });
  });
  it('no places: nobody elected, no tie', () => {
    expect(decideQuestion([{ id: 'a', yes: 6, rank: 1 }], 0)).toEqual({ elected: [], tied: [] });
  });
});

describe('closeRound', () => {
  const ids = ['a', 'b', 'c', 'd'];
  it('exactly at passShare × present fails; one more passes', () => {
    // present 10, threshold 6: 5 votes fail, 6 pass
    const r = closeRound(input({ ids, present: 10, votes: votesFor(ids, 'win', [6, 5, 0, 0], 10) }));
    expect(r.threshold).toBe(6);
    expect(r.candidates.map((c) => c.win!.passed)).toEqual([true, false, false, false]);
    expect(r.candidates[0]).toEqual({ applicationId: 'a', win: { yes: 6, no: 4, abstain: 0, passed: true }, national: null });
    expect(r.elected.win).toEqual(['a']);
    // one place left: a fill among the rest of the shortlist
    expect(r.next).toEqual({ purpose: 'fill', questions: ['win'], candidates: ['b', 'c', 'd'], placesWin: 1, placesNational: 0 });
  });

  it('all places filled: next is null', () => {
    const r = closeRound(input({ ids, votes: votesFor(ids, 'win', [9, 8, 7, 0], 9) }));
    expect(r.elected.win).toEqual(['a', 'b']);
    expect(r.tied.win).toEqual([]);
    expect(r.next).toBeNull();
  });

  it('a tie at the boundary: a tiebreak round among the tied for the places left', () => {
    const r = closeRound(input({ ids, onlineRank: { a: 1, b: 2, c: 2, d: 4 }, votes: votesFor(ids, 'win', [9, 6, 6, 2], 9) }));
    expect(r.elected.win).toEqual(['a']);
    expect(r.tied.win).toEqual(['b', 'c']);
    expect(r.next).toEqual({ purpose: 'tiebreak', questions: ['win'], candidates: ['b', 'c'], placesWin: 1, placesNational: 0 });
  });

  it('both questions: each decided on its own; a shared fill asks both', () => {
    const votes = [...votesFor(ids, 'win', [9, 9, 0, 0], 9), ...votesFor(ids, 'national', [9, 0, 0, 0], 9)];
    const r = closeRound(
      input({ ids, round: { questions: ['win', 'national'], placesWin: 3, placesNational: 1, candidates: ids }, totals: { win: 3, national: 1 }, votes }),
    );
    expect(r.elected).toEqual({ win: ['a', 'b'], national: ['a'] });
    expect(r.next).toEqual({ purpose: 'fill', questions: ['win'], candidates: ['c', 'd'], placesWin: 1, placesNational: 0 });

    const r2 = closeRound(
      input({
        ids,
        round: { questions: ['win', 'national'], placesWin: 3, placesNational: 3, candidates: ids },
        totals: { win: 3, national: 3 },
        votes: [...votesFor(ids, 'win', [9, 9, 0, 0], 9), ...votesFor(ids, 'national', [9, 9, 0, 0], 9)],
      }),
    );
    expect(r2.next).toEqual({ purpose: 'fill', questions: ['win', 'national'], candidates: ['c', 'd'], placesWin: 1, placesNational: 1 });
  });

  it('the 全国推荐 need waits while 当选 has its own round, then comes back from the standing', () => {
    const round1 = closeRound(
      input({
        ids,
        round: { questions: ['win', 'national'], placesWin: 2, placesNational: 1, candidates: ids },
        totals: { win: 2, national: 1 },
        onlineRank: { a: 1, b: 2, c: 2, d: 4 },
        votes: [...votesFor(ids, 'win', [9, 6, 6, 0], 9), ...votesFor(ids, 'national', [0, 0, 0, 0], 9)],
      }),
    );
    expect(round1.next).toEqual({ purpose: 'tiebreak', questions: ['win'], candidates: ['b', 'c'], placesWin: 1, placesNational: 0 });
    const before = standingOf([{ questions: ['win', 'national'], result: round1 }]);
    const round2 = closeRound(
      input({
        ids,
        round: { questions: ['win'], placesWin: 1, placesNational: 0, candidates: ['b', 'c'] },
        totals: { win: 2, national: 1 },
        before,
        votes: votesFor(['b', 'c'], 'win', [7, 3], 9),
      }),
    );
    expect(round2.elected.win).toEqual(['b']);
    expect(round2.candidates[0]!.national).toBeNull();
    expect(round2.next).toEqual({ purpose: 'fill', questions: ['national'], candidates: ids, placesWin: 0, placesNational: 1 });
  });

  it('nobody present: nothing passes and the fill is the whole shortlist', () => {
    const r = closeRound(input({ ids, present: 0 }));
    expect(r.threshold).toBe(1);
    expect(r.elected.win).toEqual([]);
    expect(r.next?.candidates).toEqual(ids);
  });

  it('already elected candidates are not elected twice; an empty rest means no next round', () => {
    const before = { elected: { win: ['a'], national: [] }, tied: { win: [], national: [] } };
    const r = closeRound(
      input({
        ids: ['a', 'b'],
        round: { questions: ['win'], placesWin: 1, placesNational: 0, candidates: ['a', 'b'] },
        before,
        votes: votesFor(['a', 'b'], 'win', [9, 0], 9),
      }),
    );
    expect(r.elected.win).toEqual([]);
    expect(nextRoundOf({ elected: { win: ['a', 'b'], national: [] }, tied: { win: [], national: [] } }, { win: 3, national: 0 }, ['a', 'b'])).toBeNull();
  });
});
