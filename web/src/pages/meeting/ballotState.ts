// The expert's ballot on the page: the server's replies and the choices made here, put together so that the order in
// which replies arrive does not matter. Pure (no React), tested in ballotState.test.ts.
import type { Choice, Question } from '../../../../core/meeting/rules';
import type { BallotView, BallotWriteReply } from '../../client/meeting';

/** The choices made on this page, by `voteKey`: shown over the server's until the page is left. */
export type MyChoices = Readonly<Record<string, Choice>>;

export const voteKey = (applicationId: string, question: Question) => `${applicationId}\u001f${question}`;

/**
 * A 保存 or 【提交选票】 reply (the ballot's state and votes as saved, not its candidates) taken into the ballot the page
 * holds. Replies can arrive out of order (the browser's several connections, a slow network): a late one is the
 * ballot as it was earlier. So what only ever moves one way stays where the newest news put it — once 已提交 the ballot
 * stays 已提交 with the votes submitted, once the round is over it stays over — and the votes the expert gave on this
 * page are laid over any reply (`withMyChoices`): only this page writes this expert's votes.
 */
export function takeReply(held: BallotView | null, reply: BallotWriteReply): BallotView | null {
  // a reply for another round's ballot than the one held (the page has moved on) changes nothing
  if (!held || held.roundId !== reply.roundId) return held;
  if (held.state === 'submitted') return reply.roundOpen ? held : { ...held, roundOpen: false };
  const given = new Map(reply.votes.map((v) => [voteKey(v.applicationId, v.question), v.choice]));
  const asked = (q: Question) => held.questions.includes(q);
  const vote = (applicationId: string, q: Question) => (asked(q) ? (given.get(voteKey(applicationId, q)) ?? null) : null);
  return {
    ...held,
    state: reply.state,
    submittedAt: reply.submittedAt,
    roundOpen: held.roundOpen && reply.roundOpen,
    candidates: held.candidates.map((c) => ({ ...c, votes: { win: vote(c.applicationId, 'win'), national: vote(c.applicationId, 'national') } })),
  };
}

/** The ballot as shown: the server's, with the choices made on this page over it (not once it is submitted: it is the server's then). */
export function withMyChoices(ballot: BallotView, mine: MyChoices): BallotView {
  if (ballot.state === 'submitted' || !Object.keys(mine).length) return ballot;
  return {
    ...ballot,
    candidates: ballot.candidates.map((c) => {
      let votes = c.votes;
      for (const q of ballot.questions) {
        const chosen = mine[voteKey(c.applicationId, q)];
        if (chosen && chosen !== votes[q]) votes = { ...votes, [q]: chosen };
      }
      return votes === c.votes ? c : { ...c, votes };
    }),
  };
}

/** How many votes are still to give: 【提交选票】 waits until none. */
export const missingVotes = (ballot: BallotView) => ballot.candidates.reduce((n, c) => n + ballot.questions.filter((q) => c.votes[q] === null).length, 0);
