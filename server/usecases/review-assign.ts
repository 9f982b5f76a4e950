// 网上评选 assignment (issue 13, 7.): who reviews whom, with automatic 回避.
//
// Candidates: the campaign's applications that are 已受理 or 网上评选中. Experts: enabled 评审专家 accounts with their
// profile (工作单位). 回避 (core/review recusalPairs): 本人 (the same 手机, or the same keyed hash of the 身份证号码),
// 同单位 (the expert's 工作单位 against the candidate's 单位名称 and the recommending unit's name, normalised), and
// every declared conflict (review_conflicts). A preview stores nothing; a confirm recomputes the same plan inside one
// transaction, stores the new rows and moves each assigned candidate from 已受理 to 网上评选中 through the workflow
// table (action startReview, a 流程情况 row). Existing assignments are kept: a second plan (candidates accepted
// later) tops up around them, and their load counts toward L.
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { type ApplicationForm } from '../../core';
import {
  pairKey,
  planAssignments,
  planWholeGroups,
  recusalPairs,
  shortfall,
  type Assignment,
  type AssignmentChange,
  type AssignmentsReply,
  CONFLICT_DECLARER_LABELS,
  type ConflictRequest,
  type ConflictsReply,
  type DeclaredRecusal,
  type PlanReply,
  type PlanRequest,
  type RecusalReason,
} from '../../core/review';
import type { SessionUser } from '../auth/sessions';
import { audit } from '../audit';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { applications, expertGroupMembers, expertGroups, expertProfiles, reviewAssignments, reviewConflicts, scoreSheets, units, users } from '../db/schema';
import { AppError, notFound } from '../errors';
import { getCampaign } from './campaigns';
import { recordConflict, sheetState, sheetStateLabel } from './review-common';
import { transitionInTx } from './workflow';

const REVIEW_STATUSES = ['accepted', 'online_review'];

interface Candidate {
  id: string;
  number: string;
  name: string;
  workUnit: string;
  status: string;
  field: string | null;
  unitName: string | null;
  mobile: string;
  idHash: string | null;
}

interface Expert {
  id: string;
  name: string;
  workUnit: string | null;
  field: string | null;
  mobile: string | null;
  idHash: string | null;
  disabled: boolean;
}

async function loadCandidates(db: Db, campaignId: string, ids?: string[]): Promise<Candidate[]> {
  const rows = await db
    .select({ app: applications, unitName: units.name })
    .from(applications)
    .leftJoin(units, eq(units.id, applications.unitId))
    .where(
      and(
        eq(applications.campaignId, campaignId),
        inArray(applications.status, REVIEW_STATUSES),
        isNull(applications.deletedAt),
        ids ? inArray(applications.id, ids.length ? ids : ['00000000-0000-0000-0000-000000000000']) : undefined,
      ),
    )
    .orderBy(asc(applications.seq));
  if (ids) {
    const found = new Set(rows.map((r) => r.app.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) throw new AppError('VALIDATION', `所选候选人中有${missing.length}位不存在或不处于“已受理”“网上评选中”状态，请刷新后重新选择`);
  }
  return rows.map(({ app, unitName }) => ({
    id: app.id,
    number: app.number,
    name: app.applicantName,
    workUnit: app.workUnit,
    status: app.status,
    field: ((app.form as ApplicationForm).field as string | undefined) ?? null,
    unitName,
    mobile: app.mobile,
    idHash: app.idHash,
  }));
}

async function loadExperts(db: Db, ids?: string[]): Promise<Expert[]> {
  const rows = await db
    .select({ user: users, profile: expertProfiles })
    .from(users)
    .leftJoin(expertProfiles, eq(expertProfiles.userId, users.id))
    .where(and(eq(users.role, 'expert'), ids ? inArray(users.id, ids.length ? ids : ['00000000-0000-0000-0000-000000000000']) : undefined))
    .orderBy(asc(users.createdAt), asc(users.id));
  if (ids) {
    const found = new Set(rows.map((r) => r.user.id));
    if (ids.some((id) => !found.has(id))) throw new AppError('VALIDATION', '所选评审专家中有的不存在，请刷新后重新选择');
  }
  return rows.map(({ user, profile }) => ({
    id: user.id,
    name: user.realName,
    workUnit: profile?.workUnit ?? null,
    field: profile?.field ?? null,
    mobile: user.mobile,
    idHash: profile?.idHash ?? null,
    disabled: user.disabled,
  }));
}

async function loadDeclared(db: Db, candidateIds: string[]): Promise<DeclaredRecusal[]> {
  if (!candidateIds.length) return [];
  const rows = await db.select().from(reviewConflicts).where(inArray(reviewConflicts.applicationId, candidateIds));
  return rows.map((r) => ({ expertId: r.expertId, candidateId: r.applicationId, by: r.declaredBy === 'organizer' ? 'organizer' : 'expert', reason: r.reason }));
}

async function loadAssignments(db: Db, campaignId: string): Promise<(Assignment & { groupId: string | null })[]> {
  const rows = await db.select().from(reviewAssignments).where(eq(reviewAssignments.campaignId, campaignId));
  return rows.map((r) => ({ expertId: r.expertId, candidateId: r.applicationId, groupId: r.groupId }));
}

/** 回避 between these experts and candidates: the automatic reasons and the declared ones. */
function recusals(experts: Expert[], candidates: Candidate[], declared: DeclaredRecusal[]): Map<string, RecusalReason> {
  return recusalPairs(
    experts.map((e) => ({ id: e.id, workUnit: e.workUnit, mobile: e.mobile, idNumber: e.idHash })),
    // the keyed hashes of the 身份证号码 stand for the numbers: equal numbers have equal hashes
    candidates.map((c) => ({ id: c.id, workUnit: c.workUnit, unitName: c.unitName, mobile: c.mobile, idNumber: c.idHash })),
    declared,
  );
}

interface Plan {
  reply: PlanReply;
  /** new rows to store: (candidate, expert, group) */
  rows: { applicationId: string; expertId: string; groupId: string | null }[];
}

/** The plan for `input`, computed from the database as it is (inside the confirm's transaction, or not). */
async function computePlan(db: Db, campaignId: string, input: PlanRequest): Promise<Plan> {
  const campaign = await getCampaign(db, campaignId);
  const k = input.k ?? campaign.settings.review.k;
  const L = input.mode === 'balanced' ? (input.L ?? campaign.settings.review.L) : null;
  const candidates = await loadCandidates(db, campaignId, input.candidateIds);
  const existing = (await loadAssignments(db, campaignId)).filter((a) => candidates.some((c) => c.id === a.candidateId));
  const base = { mode: input.mode, k, L, moved: 0 } as const;

  if (input.mode === 'balanced') {
    const all = await loadExperts(db, input.expertIds);
    // disabled experts get nothing new; their existing assignments stay and count
    const experts = all.filter((e) => !e.disabled || existing.some((a) => a.expertId === e.id));
    const known = new Set(experts.map((e) => e.id));
    const keep = existing.filter((a) => known.has(a.expertId));
    const declared = await loadDeclared(
      db,
      candidates.map((c) => c.id),
    );
    const forbidden = recusals(experts, candidates, declared);
    // a disabled expert is as good as recused for new assignments
    const blocked = { has: (key: string) => forbidden.has(key) || experts.some((e) => e.disabled && key.startsWith(`${e.id}\u001f`)) };
    if (!experts.some((e) => !e.disabled)) {
      return { reply: failureReply(base, candidates, experts, forbidden, '没有可分配的评审专家：请先在【评审专家】中添加专家'), rows: [] };
    }
    const result = planAssignments({
      candidates: candidates.map((c) => ({ id: c.id, name: c.name })),
      experts: experts.map((e) => ({ id: e.id, name: e.name })),
      forbidden: blocked,
      k,
      L: L!,
      keep,
      seed: 1,
    });
    if (!result.ok) {
      const reply = failureReply(base, candidates, experts, forbidden, result.reason);
      reply.problems = result.problems.map((p) => p.text);
      reply.suggestedL = result.suggestedL ?? null;
      return { reply, rows: [] };
    }
    const added = new Set(result.added.map((a) => pairKey(a.expertId, a.candidateId)));
    return {
      reply: {
        ...base,
        ok: true,
        reason: null,
        problems: [],
        suggestedL: null,
        assignments: result.assignments.map((a) => ({
          applicationId: a.candidateId,
          expertId: a.expertId,
          added: added.has(pairKey(a.expertId, a.candidateId)),
        })),
        added: result.added.length,
        candidates: candidates.map((c) => ({
          id: c.id,
          number: c.number,
          name: c.name,
          workUnit: c.workUnit,
          coverage: result.coverageByCandidate[c.id] ?? 0,
        })),
        experts: experts.map((e) => ({ id: e.id, name: e.name, workUnit: e.workUnit, load: result.loadByExpert[e.id] ?? 0 })),
        recused: recusedList(forbidden, candidates),
        belowK: [],
      },
      rows: result.added.map((a) => ({ applicationId: a.candidateId, expertId: a.expertId, groupId: null })),
    };
  }

  // groups: every enabled member of 评审组 G reviews every candidate whose 推荐领域 is G's field
  const groups = await db
    .select()
    .from(expertGroups)
    .where(
      and(
        eq(expertGroups.campaignId, campaignId),
        input.groupIds ? inArray(expertGroups.id, input.groupIds.length ? input.groupIds : ['00000000-0000-0000-0000-000000000000']) : undefined,
      ),
    )
    .orderBy(asc(expertGroups.name));
  if (input.groupIds && groups.length !== input.groupIds.length) throw new AppError('VALIDATION', '所选评审组中有的不存在，请刷新后重新选择');
  if (!groups.length) throw new AppError('VALIDATION', '本活动还没有评审组：请先在【评审专家】中建立评审组，或选择均衡分配');
  const members = await db
    .select({ groupId: expertGroupMembers.groupId, expertId: expertGroupMembers.expertId })
    .from(expertGroupMembers)
    .where(
      inArray(
        expertGroupMembers.groupId,
        groups.map((g) => g.id),
      ),
    );
  const experts = (await loadExperts(db, [...new Set(members.map((m) => m.expertId))].filter(Boolean))).filter((e) => !e.disabled);
  const declared = await loadDeclared(
    db,
    candidates.map((c) => c.id),
  );
  const forbidden = recusals(experts, candidates, declared);
  const have = new Set(existing.map((a) => pairKey(a.expertId, a.candidateId)));
  const rows: Plan['rows'] = [];
  for (const g of groups) {
    const ids = new Set(members.filter((m) => m.groupId === g.id).map((m) => m.expertId));
    const plan = planWholeGroups({
      candidates: candidates.filter((c) => g.field === null || c.field === g.field).map((c) => ({ id: c.id, name: c.name, group: g.id })),
      experts: experts.filter((e) => ids.has(e.id)).map((e) => ({ id: e.id, name: e.name, group: g.id })),
      forbidden,
      k,
    });
    for (const a of plan.assignments) {
      const key = pairKey(a.expertId, a.candidateId);
      if (have.has(key)) continue;
      have.add(key);
      rows.push({ applicationId: a.candidateId, expertId: a.expertId, groupId: g.id });
    }
  }
  const all = [...existing, ...rows.map((r) => ({ expertId: r.expertId, candidateId: r.applicationId }))];
  const coverage = (id: string) => all.filter((a) => a.candidateId === id && !forbidden.has(pairKey(a.expertId, a.candidateId))).length;
  const load = (id: string) => all.filter((a) => a.expertId === id).length;
  const added = new Set(rows.map((r) => pairKey(r.expertId, r.applicationId)));
  return {
    reply: {
      ...base,
      ok: true,
      reason: null,
      problems: [],
      suggestedL: null,
      assignments: all.map((a) => ({ applicationId: a.candidateId, expertId: a.expertId, added: added.has(pairKey(a.expertId, a.candidateId)) })),
      added: rows.length,
      candidates: candidates.map((c) => ({ id: c.id, number: c.number, name: c.name, workUnit: c.workUnit, coverage: coverage(c.id) })),
      experts: experts.map((e) => ({ id: e.id, name: e.name, workUnit: e.workUnit, load: load(e.id) })),
      recused: recusedList(forbidden, candidates),
      belowK: shortfall(all, forbidden, k, candidates).map((s) => ({ applicationId: s.candidateId, text: s.text })),
    },
    rows,
  };
}

function recusedList(forbidden: Map<string, RecusalReason>, candidates: Candidate[]): PlanReply['recused'] {
  const known = new Set(candidates.map((c) => c.id));
  return [...forbidden].flatMap(([key, r]) => {
    const [expertId, applicationId] = key.split('\u001f') as [string, string];
    return known.has(applicationId) ? [{ applicationId, expertId, code: r.code, text: r.text }] : [];
  });
}

function failureReply(
  base: Pick<PlanReply, 'mode' | 'k' | 'L' | 'moved'>,
  candidates: Candidate[],
  experts: Expert[],
  forbidden: Map<string, RecusalReason>,
  reason: string,
): PlanReply {
  return {
    ...base,
    ok: false,
    reason,
    problems: [],
    suggestedL: null,
    assignments: [],
    added: 0,
    candidates: candidates.map((c) => ({ id: c.id, number: c.number, name: c.name, workUnit: c.workUnit, coverage: 0 })),
    experts: experts.map((e) => ({ id: e.id, name: e.name, workUnit: e.workUnit, load: 0 })),
    recused: recusedList(forbidden, candidates),
    belowK: [],
  };
}

/** 预览: the plan, nothing stored. */
export async function previewPlan(s: Services, campaignId: string, input: PlanRequest): Promise<PlanReply> {
  await getCampaign(s.db, campaignId);
  return (await computePlan(s.db, campaignId, input)).reply;
}

/**
 * 确认分配: the plan recomputed and stored in one transaction; each candidate that now has an assignment and is still
 * 已受理 moves to 网上评选中. A plan that cannot meet k and L is refused with the planner's explanation (409).
 */
export async function confirmPlan(s: Services, user: SessionUser, campaignId: string, input: PlanRequest): Promise<PlanReply> {
  await getCampaign(s.db, campaignId);
  return s.db.transaction(async (tx) => {
    // one plan at a time per campaign: a second confirm waits and then plans around the first one's rows
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`review_plan:${campaignId}`}))`);
    const { reply, rows } = await computePlan(tx, campaignId, input);
    if (!reply.ok) throw new AppError('CONFLICT', `无法按要求分配：${reply.reason}`);
    if (rows.length) {
      await tx
        .insert(reviewAssignments)
        .values(rows.map((r) => ({ campaignId, applicationId: r.applicationId, expertId: r.expertId, groupId: r.groupId, assignedBy: user.id })))
        .onConflictDoNothing();
    }
    reply.moved = await startReviews(s, tx, user, [...new Set(reply.assignments.map((a) => a.applicationId))]);
    await audit(tx, user.id, 'review.assign', 'campaign', campaignId, { mode: reply.mode, k: reply.k, L: reply.L, added: rows.length, moved: reply.moved });
    return reply;
  });
}

/** Moves the candidates still 已受理 to 网上评选中 (the workflow table's startReview); returns how many moved. */
async function startReviews(s: Services, tx: Db, user: SessionUser, applicationIds: string[]): Promise<number> {
  if (!applicationIds.length) return 0;
  const waiting = await tx
    .select({ id: applications.id })
    .from(applications)
    .where(and(inArray(applications.id, applicationIds), eq(applications.status, 'accepted')));
  for (const { id } of waiting) await transitionInTx(s, tx, user, id, 'startReview');
  return waiting.length;
}

/** 分配情况: each candidate in review with its experts (their sheets' states, declared 回避) and the shortfall below k. */
export async function listAssignments(s: Services, campaignId: string): Promise<AssignmentsReply> {
  const campaign = await getCampaign(s.db, campaignId);
  const k = campaign.settings.review.k;
  const candidates = await loadCandidates(s.db, campaignId);
  const experts = await loadExperts(s.db);
  const names = new Map(experts.map((e) => [e.id, e.name]));
  const assignments = await loadAssignments(s.db, campaignId);
  const declared = await loadDeclared(
    s.db,
    candidates.map((c) => c.id),
  );
  const declaredBy = new Map(declared.map((d) => [pairKey(d.expertId, d.candidateId), d]));
  const sheets = await s.db
    .select({ id: scoreSheets.id, applicationId: scoreSheets.applicationId, expertId: scoreSheets.expertId, status: scoreSheets.status })
    .from(scoreSheets)
    .where(eq(scoreSheets.campaignId, campaignId));
  const sheetOf = new Map(sheets.map((x) => [pairKey(x.expertId, x.applicationId), x]));
  const short = new Map(
    shortfall(
      assignments,
      { has: (key) => declaredBy.has(key) },
      k,
      candidates.map((c) => ({ id: c.id, name: c.name })),
    ).map((x) => [x.candidateId, x.text]),
  );
  return {
    k,
    candidates: candidates.map((c) => {
      const mine = assignments.filter((a) => a.candidateId === c.id);
      return {
        applicationId: c.id,
        number: c.number,
        applicantName: c.name,
        workUnit: c.workUnit,
        status: c.status,
        experts: mine.map((a) => {
          const key = pairKey(a.expertId, c.id);
          const d = declaredBy.get(key);
          const sheet = sheetOf.get(key);
          const status = sheet?.status;
          return {
            expertId: a.expertId,
            name: names.get(a.expertId) ?? '',
            sheetId: sheet && sheet.status !== 'reset' ? sheet.id : null,
            state: sheetState(status),
            stateLabel: sheetStateLabel(status),
            recusal: d ? `${d.by === 'expert' ? '专家申报回避' : '自治区科协指定回避'}：${d.reason ?? ''}` : null,
          };
        }),
        valid: mine.filter((a) => !declaredBy.has(pairKey(a.expertId, c.id))).length,
        shortfall: short.get(c.id) ?? null,
      };
    }),
    experts: experts.map((e) => ({ id: e.id, name: e.name, workUnit: e.workUnit, field: e.field, disabled: e.disabled })),
  };
}

/** 调整分配: one more expert for a candidate (not recused, not disabled, not already assigned). */
export async function addAssignment(s: Services, user: SessionUser, campaignId: string, input: AssignmentChange): Promise<AssignmentsReply> {
  await getCampaign(s.db, campaignId);
  await s.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`review_plan:${campaignId}`}))`);
    const [candidate] = await loadCandidates(tx, campaignId, [input.applicationId]).catch(() => {
      throw notFound('候选人');
    });
    const [expert] = await loadExperts(tx, [input.expertId]).catch(() => {
      throw notFound('评审专家');
    });
    if (expert!.disabled) throw new AppError('CONFLICT', `评审专家「${expert!.name}」已停用，不能分配`);
    const reason = recusals([expert!], [candidate!], await loadDeclared(tx, [candidate!.id])).get(pairKey(expert!.id, candidate!.id));
    if (reason) throw new AppError('CONFLICT', `不能分配：${reason.text}`);
    const inserted = await tx
      .insert(reviewAssignments)
      .values({ campaignId, applicationId: candidate!.id, expertId: expert!.id, assignedBy: user.id })
      .onConflictDoNothing()
      .returning({ id: reviewAssignments.applicationId });
    if (!inserted.length) throw new AppError('CONFLICT', `评审专家「${expert!.name}」已分配评审候选人「${candidate!.name}」`);
    await startReviews(s, tx, user, [candidate!.id]);
    await audit(tx, user.id, 'review.assignment.add', 'application', candidate!.id, { expertId: expert!.id });
  });
  return listAssignments(s, campaignId);
}

/** 调整分配: one assignment taken away, unless its sheet is 已提交 (a saved draft stays, out of everyone's sight). */
export async function removeAssignment(s: Services, user: SessionUser, campaignId: string, input: AssignmentChange): Promise<AssignmentsReply> {
  await getCampaign(s.db, campaignId);
  await s.db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(reviewAssignments)
      .where(
        and(
          eq(reviewAssignments.campaignId, campaignId),
          eq(reviewAssignments.applicationId, input.applicationId),
          eq(reviewAssignments.expertId, input.expertId),
        ),
      )
      .for('update');
    if (!row) throw notFound('分配记录');
    // the sheet's row lock orders this against the expert's 提交
    const [sheet] = await tx
      .select({ status: scoreSheets.status })
      .from(scoreSheets)
      .where(and(eq(scoreSheets.applicationId, input.applicationId), eq(scoreSheets.expertId, input.expertId)))
      .for('update');
    if (sheet?.status === 'submitted') throw new AppError('CONFLICT', '该专家已提交对此候选人的评分，不能取消分配；如需重评，请使用【退回重评】');
    await tx.delete(reviewAssignments).where(and(eq(reviewAssignments.applicationId, input.applicationId), eq(reviewAssignments.expertId, input.expertId)));
    await audit(tx, user.id, 'review.assignment.remove', 'application', input.applicationId, { expertId: input.expertId });
  });
  return listAssignments(s, campaignId);
}

/** 回避登记: every declared 回避 of the campaign (the experts' 申报回避 and 自治区科协's 登记回避), newest first. */
export async function listConflicts(s: Services, campaignId: string, message: string | null = null): Promise<ConflictsReply> {
  await getCampaign(s.db, campaignId);
  const rows = await s.db
    .select({
      conflict: reviewConflicts,
      expertName: users.realName,
      expertWorkUnit: expertProfiles.workUnit,
      number: applications.number,
      applicantName: applications.applicantName,
      // qualified by hand: Drizzle may print a select's column without its table, which the subquery would take as ra's
      assigned: sql<boolean>`exists (select 1 from ${reviewAssignments} ra where ra.expert_id = "review_conflicts"."expert_id" and ra.application_id = "review_conflicts"."application_id")`,
    })
    .from(reviewConflicts)
    .innerJoin(applications, eq(applications.id, reviewConflicts.applicationId))
    .innerJoin(users, eq(users.id, reviewConflicts.expertId))
    .leftJoin(expertProfiles, eq(expertProfiles.userId, reviewConflicts.expertId))
    .where(and(eq(applications.campaignId, campaignId), isNull(applications.deletedAt)))
    .orderBy(desc(reviewConflicts.createdAt), asc(applications.seq));
  return {
    conflicts: rows.map((r) => {
      const by = r.conflict.declaredBy === 'organizer' ? 'organizer' : 'expert';
      return {
        expertId: r.conflict.expertId,
        expertName: r.expertName,
        expertWorkUnit: r.expertWorkUnit,
        applicationId: r.conflict.applicationId,
        number: r.number,
        applicantName: r.applicantName,
        reason: r.conflict.reason,
        declaredBy: by,
        declaredByLabel: CONFLICT_DECLARER_LABELS[by],
        actorName: by === 'organizer' ? '自治区科协' : r.expertName,
        createdAt: r.conflict.createdAt.toISOString(),
        assigned: Boolean(r.assigned),
      };
    }),
    message,
  };
}

/**
 * 登记回避: 自治区科协 records a 回避 for one expert and one candidate of the campaign (已受理 or 网上评选中), assigned or
 * not (a pair declared before planning is never assigned). The rule is the expert's own (recordConflict): a submitted
 * sheet refuses it, a saved draft stays hidden, the assignment stays and no longer counts. Unknown expert, or a
 * candidate not of this campaign: 404; already declared: 409.
 */
export async function addConflict(s: Services, user: SessionUser, campaignId: string, input: ConflictRequest): Promise<ConflictsReply> {
  await getCampaign(s.db, campaignId);
  const message = await s.db.transaction(async (tx) => {
    const [app] = await tx
      .select({
        id: applications.id,
        number: applications.number,
        applicantName: applications.applicantName,
        campaignId: applications.campaignId,
        status: applications.status,
      })
      .from(applications)
      .where(and(eq(applications.id, input.applicationId), eq(applications.campaignId, campaignId), isNull(applications.deletedAt)))
      // not FOR UPDATE: the expert's first save inserts the sheet row and then its foreign key takes KEY SHARE on this
      // row, while recordConflict's insert of the same sheet row waits for that save — a deadlock
      .for('no key update');
    if (!app) throw notFound('候选人');
    if (!REVIEW_STATUSES.includes(app.status)) {
      throw new AppError('CONFLICT', `候选人「${app.applicantName}」尚未受理或已不在网上评选中，不能登记回避；回避只对“已受理”“网上评选中”的候选人登记`);
    }
    const [expert] = await tx
      .select({ id: users.id, name: users.realName })
      .from(users)
      .where(and(eq(users.id, input.expertId), eq(users.role, 'expert')));
    if (!expert) throw notFound('评审专家');
    const { left, k, assigned } = await recordConflict(tx, user, app, expert, input.reason);
    const done = `已登记评审专家「${expert.name}」对候选人「${app.applicantName}」回避`;
    if (!assigned) return `${done}；该专家此后不会被分配评审该候选人`;
    return left < k ? `${done}；该候选人现有${left}份有效评审，少于每人至少${k}份，请在【分配情况】中补充分配` : `${done}；该候选人仍有${left}份有效评审`;
  });
  return listConflicts(s, campaignId, message);
}
