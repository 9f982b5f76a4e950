// The expert's ballot on the page: the server's replies and the choices made here, put together so that the order in
// which replies arrive does not matter. Pure (no React), tested in ballotState.test.ts.
import type { Choice, Question } from '../../../../core/meeting/rules';
import type { BallotView } from '../../client/meeting';

/** The choices made on this page, by `voteKey`: shown over the server's until the page is left. */
export type MyChoices = Readonly<Record<string, Choice>>;

export const voteKey = (applicationId: string, question: Question) => `${applicationId}\u001f${question}`;

/**
 * A reply taken into the ballot the page holds. Every 保存 and 【提交选票】 answers with the whole ballot, and replies can
 * arrive out of order (the browser's several connections, a slow network): a late one is the ballot as it was
 * earlier. So what only ever moves one way stays where the newest news put it — once 已提交 the ballot stays 已提交,
 * once the round is over it stays over — and the votes the expert gave on this page are laid over any reply
 * (`withMyChoices`): only this page writes this expert's votes.
 */
export function takeReply(held: BallotView | null, reply: BallotView): BallotView {
  if (!held || held.roundId !== reply.roundId) return reply;
  const submitted = held.state === 'submitted' && reply.state !== 'submitted';
  const closed = !held.roundOpen && reply.roundOpen;
  if (!submitted && !closed) return reply;
  return {
    ...reply,
    state: submitted ? held.state : reply.state,
    submittedAt: submitted ? held.submittedAt : reply.submittedAt,
    roundOpen: closed ? false : reply.roundOpen,
    // a submitted ballot's votes are the ones submitted, not an earlier draft's
    candidates: submitted ? held.candidates : reply.candidates,
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
