import { useEffect, useMemo, useRef, useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Col, DatePicker, Drawer, Form, Grid, Input, Modal, Row, Space, Table, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import dayjs from 'dayjs';
import { Link } from 'react-router';
import { balanceReport, checkSelection, type SelectionSetup } from '../../../../core/selection';
import {
  acceptProposal,
  confirmSelection,
  getSelection,
  proposeReplacement,
  proposeSelection,
  publishFinal,
  reopenSelection,
  savePick,
  type ProposalReply,
  type SelectionState,
} from '../../client/selection';
import { ResponsiveList, type ListColumn } from '../../components/ResponsiveList';
import { useUnsavedGuard } from '../../components/unsavedChanges';
import { formatTime, useCurrentCampaign, useLoader } from '../../hooks';

type Candidate = SelectionState['candidates'][number];
type Line = SelectionState['check']['lines'][number];

const ATTRIBUTE_NAMES: Record<string, string> = {
  field: '推荐领域',
  region: '地区',
  unitType: '单位类型',
  gender: '性别',
  ethnicity: '民族',
  ageBand: '年龄段',
  academician: '院士',
  frontline: '基层一线',
};

function setupOf(s: SelectionState): SelectionSetup {
  return {
    candidates: s.candidates.map((c) => ({ id: c.id, name: c.name, merit: c.merit, age: c.age ?? Number.NaN, flags: c.flags, values: c.values })),
    constraints: s.constraints,
    sizes: s.sizes,
    nationalsWithinWinners: s.nationalsWithinWinners,
    youthAgeLimit: s.youthAgeLimit,
  };
}

/** One line of the constraints panel: green or red, with the arithmetic. */
function CheckLineView({ line }: { line: Line }) {
  return (
    <div className="selection-check-line">
      <Tag color={line.ok ? 'success' : 'error'}>{line.ok ? '满足' : '不满足'}</Tag>
      <span>{line.text}</span>
    </div>
  );
}

/** The constraints panel's lines: the sizes first, then each constraint. */
function CheckLines({ check }: { check: NonNullable<ReturnType<typeof checkSelection>> }) {
  return (
    <>
      <Tag color={check.ok ? 'success' : 'error'} className="block-gap">
        {check.ok ? '全部满足，可以确认' : '有约束未满足'}
      </Tag>
      {check.sizeLines.map((l) => (
        <CheckLineView key={`${l.constraintId}-${l.list}-${l.text}`} line={l} />
      ))}
      {check.lines.map((l) => (
        <CheckLineView key={`${l.constraintId}-${l.list}-${l.value ?? ''}`} line={l} />
      ))}
    </>
  );
}

/** The facts of a candidate in one line (the card on phones): 女，64岁，维吾尔族，院士，基层一线. */
function factsOf(c: Candidate): string {
  return [c.values.gender, c.age === null ? '' : `${c.age}岁`, c.values.ethnicity, c.flags.academician ? '院士' : '', c.flags.frontline ? '基层一线' : '']
    .filter(Boolean)
    .join('，');
}

/**
 * 最终评选结果 (自治区科协): pick the winners and the national recommendees from the 入围名单 beside the constraints panel
 * (checked in the browser at every click, the server checks again at 确认), 按规则推荐 and 采用, 确认名单 / 重新打开, 结构分析,
 * the final 公示 and an upheld 异议's replacement.
 */
export default function SelectionPage() {
  const { message } = App.useApp();
  const screens = Grid.useBreakpoint();
  // below xl the panel is under the list: a sticky summary at the top opens it; below md the list is cards
  const besides = screens.xl ?? (typeof window === 'undefined' || window.innerWidth >= 1200);
  const cards = !(screens.md ?? (typeof window === 'undefined' || window.innerWidth >= 768));
  const [panelOpen, setPanelOpen] = useState(false);
  const { data: campaign, error: campaignError } = useCurrentCampaign();
  const campaignId = campaign?.id ?? null;
  const [state, setState] = useState<SelectionState | null>(null);
  const [winners, setWinners] = useState<string[]>([]);
  const [nationals, setNationals] = useState<string[]>([]);
  const [proposal, setProposal] = useState<ProposalReply | null>(null);
  const [busy, setBusy] = useState(false);
  const [reopening, setReopening] = useState(false);
  const [reopenReason, setReopenReason] = useState('');
  const apply = (s: SelectionState) => {
    setState(s);
    setWinners(s.pick.winners);
    setNationals(s.pick.nationals);
    setProposal(s.lastProposal);
  };
  const { error } = useLoader(async () => (campaignId ? getSelection(campaignId) : null), [campaignId], { onLoad: (s) => s && apply(s) });

  const setup = useMemo(() => (state ? setupOf(state) : null), [state]);
  const check = useMemo(() => (setup ? checkSelection(setup, { winners, nationals }) : null), [setup, winners, nationals]);
  const balance = useMemo(() => (setup ? balanceReport(setup, winners) : []), [setup, winners]);
  const dirty = !!state && (winners.join() !== state.pick.winners.join() || nationals.join() !== state.pick.nationals.join());

  // unsaved input: the pick (before 确认) or the final 公示's form (after it; the pick is locked then) — one guard
  const pickDirty = useRef(false);
  const publicityDirty = useRef(false);
  useEffect(() => {
    pickDirty.current = dirty;
  }, [dirty]);
  const anyDirty = useMemo(
    () => ({
      get current() {
        return pickDirty.current || publicityDirty.current;
      },
    }),
    [],
  );
  useUnsavedGuard(
    anyDirty,
    dirty && state && campaignId
      ? {
          message: '名单有未保存的修改，离开后将丢失。是否离开？',
          save: async () => {
            try {
              apply(await savePick(campaignId, { winners, nationals, version: state.version }));
              pickDirty.current = false;
              return true;
            } catch (e) {
              message.error((e as Error).message);
              return false;
            }
          },
        }
      : { message: '最终公示尚未发布，填写的内容离开后将丢失。是否离开？' },
  );

  const run = async <T,>(action: () => Promise<T>, done: (v: T) => void) => {
    setBusy(true);
    try {
      done(await action());
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (campaignError) return <Alert type="error" showIcon title={`评选活动加载失败：${campaignError}`} />;
  if (error) return <Alert type="error" showIcon title={`最终评选结果加载失败：${error}`} />;
  if (!state || !campaignId || !check) return <Card title="最终评选结果" loading />;
  const confirmed = state.status === 'confirmed';
  const toggle = (list: string[], id: string, on: boolean) => (on ? [...list, id] : list.filter((x) => x !== id));
  const winBox = (c: Candidate, text?: ReactNode) => (
    <Checkbox
      aria-label={`${c.name}当选`}
      checked={winners.includes(c.id)}
      disabled={confirmed}
      onChange={(e) => {
        setWinners((w) => toggle(w, c.id, e.target.checked));
        if (!e.target.checked && state.nationalsWithinWinners) setNationals((n) => n.filter((x) => x !== c.id));
      }}
    >
      {text}
    </Checkbox>
  );
  const nationalBox = (c: Candidate, text?: ReactNode) => (
    <Checkbox
      aria-label={`${c.name}全国推荐`}
      checked={nationals.includes(c.id)}
      disabled={confirmed}
      onChange={(e) => setNationals((n) => toggle(n, c.id, e.target.checked))}
    >
      {text}
    </Checkbox>
  );
  const nameOf = (c: Candidate, merit = false) => (
    <Space size={4} wrap>
      <Link to={`/zmkj/view/${encodeURIComponent(c.id)}`}>{merit ? `${c.merit}. ${c.name}` : c.name}</Link>
      {c.objectionUpheld && <Tag color="red">异议成立</Tag>}
    </Space>
  );
  const votesOf = (c: Candidate) => (c.votes === null ? '—' : `${c.votes}${c.electedWin ? '（当选）' : ''}`);
  const tableColumns: ListColumn<Candidate>[] = [
    { key: 'merit', title: '序', dataIndex: 'merit', width: 50 },
    { key: 'win', title: '当选', width: 60, render: (_: unknown, c) => winBox(c) },
    { key: 'national', title: '全国推荐', width: 80, render: (_: unknown, c) => nationalBox(c) },
    { key: 'name', title: '姓名', width: 110, render: (_: unknown, c) => nameOf(c) },
    { key: 'votes', title: '集中评选赞成票', width: 120, render: (_: unknown, c) => votesOf(c) },
    { key: 'online', title: '网上评选排名', dataIndex: 'onlineRankLabel', width: 110 },
    { key: 'academician', title: '院士', width: 60, render: (_: unknown, c) => (c.flags.academician ? '是' : '') },
    { key: 'age', title: '年龄', width: 60, render: (_: unknown, c) => (c.age === null ? '—' : c.age) },
    { key: 'gender', title: '性别', width: 60, render: (_: unknown, c) => c.values.gender },
    { key: 'ethnicity', title: '民族', width: 80, render: (_: unknown, c) => c.values.ethnicity },
    { key: 'frontline', title: '基层一线', width: 80, render: (_: unknown, c) => (c.flags.frontline ? '是' : '') },
    { key: 'field', title: '推荐领域', width: 140, render: (_: unknown, c) => c.values.field },
    { key: 'unit', title: '推荐单位', width: 160, render: (_: unknown, c) => c.values.unit },
    { key: 'region', title: '地区', width: 100, render: (_: unknown, c) => c.values.region },
  ];
  // a phone: four lines a candidate and both choices at the card's foot
  const cardColumns: ListColumn<Candidate>[] = [
    { key: 'name', title: '姓名', render: (_: unknown, c) => nameOf(c, true) },
    { key: 'figures', title: '评选情况', render: (_: unknown, c) => `集中评选赞成票 ${votesOf(c)}；网上评选${c.onlineRankLabel}` },
    { key: 'facts', title: '基本情况', render: (_: unknown, c) => factsOf(c) || '—' },
    { key: 'unit', title: '推荐', render: (_: unknown, c) => [c.values.field, c.values.unit, c.values.region].filter(Boolean).join('；') || '—' },
    {
      key: 'actions',
      title: '选择',
      render: (_: unknown, c) => (
        <Space size={16}>
          {winBox(c, '当选')}
          {nationalBox(c, '全国推荐')}
        </Space>
      ),
    },
  ];
  const failing = check.sizeLines.filter((l) => !l.ok).length + check.lines.filter((l) => !l.ok).length;
  const passing = check.sizeLines.length + check.lines.length - failing;

  return (
    <>
      {!besides && (
        <div
          className="selection-summary"
          role="region"
          aria-label="约束检查摘要"
          style={{
            position: 'sticky',
            top: 0,
            zIndex: 20,
            background: '#fff',
            border: '1px solid #d9d9d9',
            borderRadius: 6,
            padding: '8px 12px',
            marginBottom: 12,
            display: 'flex',
            flexWrap: 'wrap',
            gap: 8,
            alignItems: 'center',
            justifyContent: 'space-between',
            boxShadow: '0 2px 6px rgba(0, 0, 0, 0.06)',
          }}
        >
          <Space size={4} wrap>
            <Typography.Text strong>约束检查</Typography.Text>
            <Tag color="success">{`满足 ${passing}`}</Tag>
            <Tag color={failing ? 'error' : 'default'}>{`不满足 ${failing}`}</Tag>
          </Space>
          <Button size="small" onClick={() => setPanelOpen(true)}>
            查看约束
          </Button>
        </div>
      )}
      <Drawer title="约束检查" placement="bottom" open={!besides && panelOpen} onClose={() => setPanelOpen(false)} className="selection-drawer">
        <CheckLines check={check} />
      </Drawer>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Card title="最终评选结果" extra={<Link to="/admin/shortlist">入围名单</Link>}>
            <Space className="block-gap" wrap>
              <Tag color={confirmed ? 'green' : 'default'}>{confirmed ? `已确认（${formatTime(state.confirmedAt)}）` : '未确认'}</Tag>
              <Typography.Text type="secondary">{`当选${state.sizes.winners}人，其中全国推荐${state.sizes.nationals}人；年龄按${state.ageReferenceDate}计算`}</Typography.Text>
            </Space>
            <Alert
              className="block-gap"
              type={state.readyToPublish.ready ? 'success' : 'info'}
              showIcon
              title={state.readyToPublish.ready ? '公示期满且无异议，可以发布结果' : `尚不能发布结果：${state.readyToPublish.reason ?? ''}`}
            />
            <Space className="block-gap" wrap>
              <Button
                disabled={confirmed || !dirty}
                loading={busy}
                onClick={() =>
                  void run(
                    () => savePick(campaignId, { winners, nationals, version: state.version }),
                    (s) => (apply(s), message.success('名单已保存')),
                  )
                }
              >
                保存名单
              </Button>
              <Button loading={busy} onClick={() => void run(() => proposeSelection(campaignId), setProposal)}>
                按规则推荐
              </Button>
              <Button
                type="primary"
                disabled={confirmed || dirty || !check.ok}
                loading={busy}
                onClick={() =>
                  void run(
                    () => confirmSelection(campaignId, state.version),
                    (s) => (apply(s), message.success('名单已确认')),
                  )
                }
              >
                确认名单
              </Button>
              {confirmed && <Button onClick={() => (setReopening(true), setReopenReason(''))}>重新打开</Button>}
            </Space>
            {dirty && <Alert className="block-gap" type="warning" showIcon title="名单有未保存的修改：请先【保存名单】再确认" />}
            {proposal && (
              <Alert
                className="block-gap"
                type={proposal.proposal.feasible ? 'success' : 'error'}
                showIcon
                title={
                  proposal.proposal.feasible
                    ? proposal.action === 'replace'
                      ? '递补推荐名单（满足全部约束）'
                      : '推荐名单（满足全部约束）'
                    : '无法找到满足全部约束的名单'
                }
                description={
                  <>
                    <ul className="selection-explanations">
                      {(proposal.proposal.feasible ? proposal.proposal.explanations : proposal.proposal.reasons).map((t) => (
                        <li key={t}>{t}</li>
                      ))}
                    </ul>
                    {proposal.proposal.feasible && (
                      <Button
                        size="small"
                        type="primary"
                        disabled={confirmed && proposal.action !== 'replace'}
                        loading={busy}
                        onClick={() =>
                          void run(
                            () => acceptProposal(campaignId, state.version),
                            (s) => (apply(s), message.success('已采用推荐名单')),
                          )
                        }
                      >
                        采用推荐名单
                      </Button>
                    )}
                  </>
                }
              />
            )}
            <ResponsiveList<Candidate>
              rowKey="id"
              size="small"
              label="入围候选人"
              emptyText="入围名单为空"
              scrollX={1270}
              dataSource={state.candidates}
              columns={cards ? cardColumns : tableColumns}
            />
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card title="约束检查" className="selection-panel" style={{ position: 'sticky', top: 16 }}>
            <CheckLines check={check} />
          </Card>
          <Card title="结构分析" style={{ marginTop: 16 }}>
            <Table
              rowKey={(r) => `${r.attribute}-${r.value}`}
              // no sideways scroll: a scrolling region with nothing to focus in it is out of a keyboard's reach
              size="small"
              pagination={false}
              dataSource={balance}
              columns={[
                {
                  key: 'attribute',
                  title: '类别',
                  render: (_: unknown, r) => (r.attribute === 'youth' ? `${state.youthAgeLimit}岁以下` : (ATTRIBUTE_NAMES[r.attribute] ?? r.attribute)),
                },
                { key: 'value', title: '取值', dataIndex: 'value' },
                { key: 'chosen', title: '当选/入围', width: 84, render: (_: unknown, r) => `${r.chosen}/${r.shortlist}` },
                {
                  key: 'bar',
                  title: '比例',
                  width: 72,
                  render: (_: unknown, r) => (
                    <div className="selection-bar" aria-hidden style={{ background: '#f0f0f0', height: 8, width: 56 }}>
                      <div style={{ background: '#1677ff', height: 8, width: r.shortlist ? (56 * r.chosen) / r.shortlist : 0 }} />
                    </div>
                  ),
                },
              ]}
            />
          </Card>
          <FinalPublicity state={state} campaignId={campaignId} onState={apply} onProposal={setProposal} dirty={publicityDirty} />
        </Col>
        <Modal
          title="重新打开最终评选结果"
          open={reopening}
          okText="重新打开"
          cancelText="取消"
          okButtonProps={{ loading: busy }}
          onCancel={() => setReopening(false)}
          onOk={() =>
            void run(
              () => reopenSelection(campaignId, state.version, reopenReason),
              (s) => (apply(s), setReopening(false)),
            )
          }
        >
          <Form layout="vertical">
            <Form.Item label="重新打开的理由" htmlFor="selection-reopen-reason" required>
              <Input.TextArea id="selection-reopen-reason" value={reopenReason} onChange={(e) => setReopenReason(e.target.value)} maxLength={500} rows={3} />
            </Form.Item>
          </Form>
        </Modal>
      </Row>
    </>
  );
}

/** 最终公示: publish the confirmed winners, follow its objections, propose a replacement for an upheld one. */
function FinalPublicity(props: {
  state: SelectionState;
  campaignId: string;
  onState: (s: SelectionState) => void;
  onProposal: (p: ProposalReply) => void;
  /** true once anything is typed into the form, until it is published */
  dirty: { current: boolean };
}) {
  const { state, campaignId } = props;
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const names = new Map(state.candidates.map((c) => [c.id, c.name]));
  const publish = async () => {
    const v = (await form.validateFields()) as {
      title: string;
      period: [dayjs.Dayjs, dayjs.Dayjs];
      contactName: string;
      contactPhone: string;
      objectionMethod: string;
      summaries: Record<string, string>;
    };
    setBusy(true);
    try {
      const s = await publishFinal(campaignId, {
        title: v.title,
        startsOn: v.period[0].format('YYYY-MM-DD'),
        endsOn: v.period[1].format('YYYY-MM-DD'),
        contactName: v.contactName,
        contactPhone: v.contactPhone,
        objectionMethod: v.objectionMethod,
        entries: state.pick.winners.map((applicationId) => ({ applicationId, summary: v.summaries[applicationId] ?? '' })),
      });
      props.dirty.current = false;
      props.onState(s);
      message.success('最终公示已发布');
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title="最终公示" style={{ marginTop: 16 }}>
      {state.finalPublicity ? (
        <Space orientation="vertical">
          <Typography.Text strong>{state.finalPublicity.title}</Typography.Text>
          <Typography.Text>{`公示期：${state.finalPublicity.startsOn} 至 ${state.finalPublicity.endsOn}（${state.finalPublicity.phaseLabel}）`}</Typography.Text>
          <Typography.Text>{`待核实异议 ${state.finalPublicity.objectionsOpen} 件，异议成立 ${state.finalPublicity.objectionsUpheld} 件`}</Typography.Text>
          {!state.finalPublicity.matchesPick && (
            <Alert type="warning" showIcon title="公示名单与当前名单不一致：请在【公示异议】旁撤回该公示后按确认的名单重新发布" />
          )}
          <Link to="/admin/objections">公示异议</Link>
        </Space>
      ) : state.status === 'confirmed' ? (
        <Form
          form={form}
          layout="vertical"
          initialValues={{ title: '关于“新疆最美科技工作者”拟表彰人选的公示' }}
          onValuesChange={() => (props.dirty.current = true)}
        >
          <Form.Item name="title" label="公示标题" rules={[{ required: true, message: '请填写公示标题' }]}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="period" label="公示期" rules={[{ required: true, message: '请选择公示期' }]}>
            <DatePicker.RangePicker />
          </Form.Item>
          <Form.Item name="contactName" label="联系人" rules={[{ required: true, message: '请填写联系人' }]}>
            <Input maxLength={50} />
          </Form.Item>
          <Form.Item name="contactPhone" label="联系电话" rules={[{ required: true, message: '请填写联系电话' }]}>
            <Input maxLength={20} />
          </Form.Item>
          <Form.Item name="objectionMethod" label="受理异议的方式" rules={[{ required: true, message: '请填写受理异议的方式' }]}>
            <Input.TextArea rows={2} maxLength={500} />
          </Form.Item>
          {state.pick.winners.map((id) => {
            const name = names.get(id) ?? '';
            return (
              <Form.Item
                key={id}
                name={['summaries', id]}
                label={`${name}的事迹简介`}
                extra="公示页面上显示，300字以内"
                rules={[{ required: true, whitespace: true, message: `请填写${name}的事迹简介` }]}
              >
                <Input.TextArea rows={2} maxLength={300} />
              </Form.Item>
            );
          })}
          <Button type="primary" loading={busy} onClick={() => void publish()}>
            发布最终公示
          </Button>
        </Form>
      ) : (
        <Typography.Text type="secondary">确认名单后可发布最终公示</Typography.Text>
      )}
      {state.removals.map((r) => (
        <Alert
          key={r.applicationId}
          style={{ marginTop: 12 }}
          type={r.stillPicked ? 'error' : 'info'}
          showIcon
          title={`关于${r.name || names.get(r.applicationId) || ''}的异议经核实成立`}
          description={
            <>
              {r.finding && <div>{`核实情况：${r.finding}`}</div>}
              {r.stillPicked && (
                <Button
                  size="small"
                  loading={busy}
                  onClick={async () => {
                    setBusy(true);
                    try {
                      props.onProposal(await proposeReplacement(campaignId, r.applicationId));
                    } catch (e) {
                      message.error((e as Error).message);
                    } finally {
                      setBusy(false);
                    }
                  }}
                >
                  推荐递补人选
                </Button>
              )}
            </>
          }
        />
      ))}
    </Card>
  );
}
