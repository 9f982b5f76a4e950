import { describe, expect, it } from 'vitest';
import type { BallotView } from '../../client/meeting';
import { missingVotes, takeReply, voteKey, withMyChoices } from './ballotState';

const candidate = (id: string, win: 'yes' | 'no' | 'abstain' | null = null, national: 'yes' | 'no' | 'abstain' | null = null) =>
  ({
    applicationId: id,
    name: `候选人${id}`,
    workUnit: '某单位',
    title: null,
    field: null,
    onlineRank: null,
    onlineTied: false,
    onlineFigure: null,
    votes: { win, national },
  }) as unknown as BallotView['candidates'][number];

const ballot = (over: Partial<BallotView> = {}): BallotView =>
  ({
    roundId: 'r1',
    number: 1,
    purpose: 'first',
    purposeLabel: '第一轮投票',
    questions: ['win', 'national'],
    roundOpen: true,
    state: 'draft',
    submittedAt: null,
    candidates: [candidate('a'), candidate('b')],
    ...over,
  }) as BallotView;

describe('takeReply: replies in any order', () => {
  it('takes a reply as it is when nothing held moves one way', () => {
    const held = ballot({ candidates: [candidate('a', 'yes'), candidate('b')] });
    const reply = ballot({ candidates: [candidate('a', 'yes'), candidate('b', 'no')] });
    expect(takeReply(held, reply)).toBe(reply);
    expect(takeReply(null, reply)).toBe(reply);
  });

  it('a late 保存 reply after 【提交选票】 leaves the ballot 已提交 with the submitted votes', () => {
    const submitted = ballot({
      state: 'submitted',
      submittedAt: '2026-12-01T10:00:00.000Z',
      candidates: [candidate('a', 'yes', 'no'), candidate('b', 'no', 'no')],
    });
    const late = ballot({ state: 'draft', candidates: [candidate('a', 'yes'), candidate('b')] });
    const taken = takeReply(submitted, late);
    expect(taken.state).toBe('submitted');
    expect(taken.submittedAt).toBe('2026-12-01T10:00:00.000Z');
    expect(taken.candidates.map((c) => c.votes)).toEqual([
      { win: 'yes', national: 'no' },
      { win: 'no', national: 'no' },
    ]);
  });

  it('a round once over stays over, whatever an earlier reply said', () => {
    const taken = takeReply(ballot({ roundOpen: false }), ballot({ roundOpen: true, candidates: [candidate('a', 'abstain'), candidate('b')] }));
    expect(taken.roundOpen).toBe(false);
    expect(taken.state).toBe('draft');
    // the draft's votes are the reply's: nothing was submitted
    expect(taken.candidates[0]!.votes.win).toBe('abstain');
  });

  it("another round's ballot replaces the held one whole", () => {
    const reply = ballot({ roundId: 'r2', state: 'none' });
    expect(takeReply(ballot({ state: 'submitted' }), reply)).toBe(reply);
  });
});

describe('withMyChoices: the choices made on the page over a reply', () => {
  it('lays each choice over the reply, leaving the others as the server has them', () => {
    const server = ballot({ candidates: [candidate('a', 'no', 'no'), candidate('b', null, 'yes')] });
    const shown = withMyChoices(server, { [voteKey('a', 'win')]: 'yes', [voteKey('b', 'win')]: 'abstain' });
    expect(shown.candidates.map((c) => c.votes)).toEqual([
      { win: 'yes', national: 'no' },
      { win: 'abstain', national: 'yes' },
    ]);
    expect(missingVotes(shown)).toBe(0);
    expect(missingVotes(server)).toBe(1);
    // the reply itself is not changed
    expect(server.candidates[0]!.votes.win).toBe('no');
  });

  it('a submitted ballot is shown as the server has it', () => {
    const server = ballot({ state: 'submitted', candidates: [candidate('a', 'no', 'no'), candidate('b', 'no', 'no')] });
    expect(withMyChoices(server, { [voteKey('a', 'win')]: 'yes' })).toBe(server);
  });

  it('ignores choices for questions the round does not ask', () => {
    const server = ballot({ questions: ['win'], candidates: [candidate('a'), candidate('b')] });
    const shown = withMyChoices(server, { [voteKey('a', 'national')]: 'yes' });
    expect(shown.candidates[0]!.votes.national).toBeNull();
    expect(missingVotes(shown)).toBe(2);
  });
});
