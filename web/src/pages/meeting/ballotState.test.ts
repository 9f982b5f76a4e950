import { describe, expect, it } from 'vitest';
import type { BallotView, BallotWriteReply } from '../../client/meeting';
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

const reply = (over: Partial<BallotWriteReply> = {}): BallotWriteReply => ({
  roundId: 'r1',
  roundOpen: true,
  state: 'draft',
  submittedAt: null,
  votes: [],
  ...over,
});

describe('takeReply: a 保存 or 【提交选票】 reply, in any order', () => {
  it("sets the held ballot's state and votes from the reply, keeping its candidates", () => {
    const held = ballot({ state: 'none', candidates: [candidate('a'), candidate('b', 'no')] });
    const taken = takeReply(
      held,
      reply({
        votes: [
          { applicationId: 'a', question: 'win', choice: 'yes' },
          { applicationId: 'b', question: 'national', choice: 'abstain' },
        ],
      }),
    )!;
    expect(taken.state).toBe('draft');
    expect(taken.candidates.map((c) => [c.applicationId, c.name, c.votes])).toEqual([
      ['a', '候选人a', { win: 'yes', national: null }],
      // the reply is the ballot's votes as saved: b's 当选 vote is not in it, so it is none
      ['b', '候选人b', { win: null, national: 'abstain' }],
    ]);
    expect(held.candidates[1]!.votes.win).toBe('no');
  });

  it('a late 保存 reply after 【提交选票】 leaves the ballot 已提交 with the submitted votes', () => {
    const submitted = ballot({
      state: 'submitted',
      submittedAt: '2026-12-01T10:00:00.000Z',
      candidates: [candidate('a', 'yes', 'no'), candidate('b', 'no', 'no')],
    });
    const taken = takeReply(submitted, reply({ votes: [{ applicationId: 'a', question: 'win', choice: 'yes' }] }))!;
    expect(taken).toBe(submitted);
    expect(taken.candidates.map((c) => c.votes)).toEqual([
      { win: 'yes', national: 'no' },
      { win: 'no', national: 'no' },
    ]);
  });

  it('【提交选票】 applied: 已提交 with its time and votes', () => {
    const votes = ['a', 'b'].flatMap((id) => (['win', 'national'] as const).map((question) => ({ applicationId: id, question, choice: 'no' as const })));
    const taken = takeReply(ballot(), reply({ state: 'submitted', submittedAt: '2026-12-01T10:00:00.000Z', votes }))!;
    expect(taken.state).toBe('submitted');
    expect(taken.submittedAt).toBe('2026-12-01T10:00:00.000Z');
    expect(missingVotes(taken)).toBe(0);
  });

  it('a round once over stays over, whatever a reply said', () => {
    expect(takeReply(ballot({ roundOpen: false }), reply({ roundOpen: true }))!.roundOpen).toBe(false);
    expect(takeReply(ballot({ roundOpen: false, state: 'submitted' }), reply({ roundOpen: true }))!.roundOpen).toBe(false);
  });

  it("a vote for a question the round does not ask is not shown; another round's reply changes nothing", () => {
    const held = ballot({ questions: ['win'] });
    const taken = takeReply(held, reply({ votes: [{ applicationId: 'a', question: 'national', choice: 'yes' }] }))!;
    expect(taken.candidates[0]!.votes.national).toBeNull();
    expect(takeReply(held, reply({ roundId: 'r2', state: 'submitted' }))).toBe(held);
    expect(takeReply(null, reply())).toBeNull();
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
