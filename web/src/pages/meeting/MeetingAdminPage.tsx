import { useEffect, useRef, useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Space, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { errorMessage } from '../../api';
import { formatTime, useCurrentCampaign, useLoader } from '../../hooks';
import { QUESTION_LABELS, ROUND_PURPOSE_LABELS, type Question } from '../../../../core/meeting/rules';
import { closeMeeting, closeRound, getMeeting, openMeeting, resultXlsxUrl, startRound, tallyEventsUrl, type RoundView, type Tally } from '../../client/meeting';

const BALLOT_LABELS = { none: '未投票', draft: '未提交', submitted: '已提交' } as const;
const BALLOT_COLORS = { none: 'default', draft: 'orange', submitted: 'green' } as const;

/**
 * The live 计票 of a meeting: an EventSource on the server's stream, a whole snapshot on every change (whichever
 * instance made it). The browser reconnects by itself after a cut and the server sends the current snapshot again.
 */
function useTally(campaignId: string | null, meetingId: string | null) {
  const [tally, setTally] = useState<Tally | null>(null);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    if (!campaignId || !meetingId) return;
    const source = new EventSource(tallyEventsUrl(campaignId));
    source.addEventListener('tally', (e) => {
      setTally(JSON.parse((e as MessageEvent<string>).data) as Tally);
      setConnected(true);
    });
    source.onerror = () => setConnected(false);
    return () => source.close();
  }, [campaignId, meetingId]);
  return { tally, connected };
}

/**
 * 集中评选 — 自治区科协's meeting page: 召开会议 (the panel: every enabled 评审专家), 开始投票 (the proposed round), the live
 * 计票 (who signed in, who voted, the counts of submitted ballots), 结束本轮投票 with its result, the 计票结果 .xlsx
 * of each closed round, and 结束会议.
 */
export default function MeetingAdminPage() {
  const { message, modal } = App.useApp();
  const { data: campaign, error: campaignError } = useCurrentCampaign();
  const campaignId = campaign?.id ?? null;
  const { data, setData, error, reload } = useLoader(async () => (campaignId ? (await getMeeting(campaignId)).meeting : null), [campaignId]);
  const meeting = data ?? null;
  const { tally, connected } = useTally(campaignId, meeting?.id ?? null);
  const [busy, setBusy] = useState(false);

  // a round started or closed elsewhere (another screen): read the meeting again
  const seen = useRef('');
  useEffect(() => {
    const key = tally?.round ? `${tally.round.id}:${tally.round.status}` : '';
    if (key && seen.current && key !== seen.current) void reload();
    seen.current = key;
  }, [tally, reload]);

  const act = async (run: () => Promise<void>, done: string) => {
    setBusy(true);
    try {
      await run();
      message.success(done);
    } catch (err) {
      message.error(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const openRound = meeting?.rounds.find((r) => r.status === 'open') ?? null;

  return (
    <Card title="集中评选">
      {(campaignError || error) && <Alert type="error" showIcon title={campaignError ?? error} className="block-gap" />}
      {campaignId && data === null && !error && (
        <Space direction="vertical">
          <Typography.Paragraph>本活动尚未召开集中评选会议。召开后，评审专家名单中的专家可签到并投票。</Typography.Paragraph>
          <Button type="primary" loading={busy} onClick={() => void act(async () => setData(await openMeeting(campaignId)), '已召开集中评选会议')}>
            召开集中评选会议（全部启用的评审专家）
          </Button>
        </Space>
      )}
      {meeting && (
        <>
          <Descriptions size="small" bordered column={{ xs: 1, sm: 2 }} className="block-gap">
            <Descriptions.Item label="评选活动">{meeting.campaignTitle}</Descriptions.Item>
            <Descriptions.Item label="集中评选时间">
              {meeting.window.start} 至 {meeting.window.end} {meeting.window.open ? <Tag color="green">进行中</Tag> : <Tag>不在时间内</Tag>}
            </Descriptions.Item>
            <Descriptions.Item label="会议">
              {meeting.status === 'open' ? <Tag color="blue">进行中</Tag> : <Tag>已结束 {formatTime(meeting.closedAt)}</Tag>}
            </Descriptions.Item>
            <Descriptions.Item label="到会专家">
              {tally?.present ?? meeting.present} / {meeting.panel.length} 人 {connected ? <Tag color="green">实时</Tag> : <Tag color="orange">连接中…</Tag>}
            </Descriptions.Item>
          </Descriptions>

          {meeting.status === 'open' && !openRound && meeting.proposal && (
            <Alert
              className="block-gap"
              type="info"
              showIcon
              title={`下一轮：${ROUND_PURPOSE_LABELS[meeting.proposal.purpose]}，候选人${meeting.proposal.candidates.length}人；${meeting.proposal.questions
                .map((q) => `${QUESTION_LABELS[q]}名额${q === 'win' ? meeting.proposal!.placesWin : meeting.proposal!.placesNational}人`)
                .join('；')}`}
              action={
                <Button type="primary" loading={busy} onClick={() => void act(async () => setData(await startRound(campaignId!)), '已开始投票')}>
                  开始第{meeting.rounds.length + 1}轮投票
                </Button>
              }
            />
          )}

          {tally && <LiveTally tally={tally} />}

          {openRound && (
            <Button
              danger
              type="primary"
              className="block-gap"
              loading={busy}
              onClick={() =>
                modal.confirm({
                  title: `结束第${openRound.number}轮投票`,
                  content: '结束后未提交的选票不再计入，计票结果将按到会专家人数计算。确定结束吗？',
                  okText: '结束本轮投票',
                  cancelText: '取消',
                  onOk: () => act(async () => (await closeRound(openRound.id), await reload()), '本轮投票已结束'),
                })
              }
            >
              结束第{openRound.number}轮投票
            </Button>
          )}

          {[...meeting.rounds]
            .filter((r) => r.status === 'closed')
            .reverse()
            .map((r) => (
              <RoundResultCard key={r.id} round={r} />
            ))}

          {meeting.status === 'open' && !openRound && (
            <Button
              className="block-gap"
              loading={busy}
              onClick={() =>
                modal.confirm({
                  title: '结束集中评选会议',
                  content: '结束后专家不能再签到和投票。确定结束吗？',
                  okText: '结束会议',
                  cancelText: '取消',
                  onOk: () => act(async () => setData(await closeMeeting(campaignId!)), '集中评选会议已结束'),
                })
              }
            >
              结束会议
            </Button>
          )}
        </>
      )}
    </Card>
  );
}

function LiveTally({ tally }: { tally: Tally }) {
  const round = tally.round;
  const questions = round?.questions ?? [];
  type Row = NonNullable<Tally['round']>['candidates'][number];
  return (
    <div className="block-gap">
      <Typography.Title level={2} className="section-title">
        计票{round ? `：第${round.number}轮（${ROUND_PURPOSE_LABELS[round.purpose]}）${round.status === 'open' ? '进行中' : '已结束'}` : ''}
      </Typography.Title>
      <Space wrap className="block-gap">
        {tally.panel.map((m) => (
          <Tag key={m.expertId} color={m.signedIn ? BALLOT_COLORS[m.ballot] : 'default'}>
            {m.name}：{m.signedIn ? BALLOT_LABELS[m.ballot] : '未签到'}
          </Tag>
        ))}
      </Space>
      {round && (
        <>
          <Typography.Paragraph>
            已提交选票 {round.submitted} 份；通过须赞成票至少 {round.threshold} 票（超过到会专家 {tally.present} 人的规定比例）。
          </Typography.Paragraph>
          <Table<Row>
            size="small"
            rowKey="applicationId"
            pagination={false}
            scroll={{ x: 600 }}
            dataSource={round.candidates}
            columns={[
              { title: '候选人', dataIndex: 'name', width: 100 },
              { title: '网上名次', dataIndex: 'onlineRank', width: 90, render: (v: number | null) => v ?? '—' },
              ...questions.map((q: Question) => ({
                title: QUESTION_LABELS[q],
                key: q,
                render: (_: unknown, c: Row) => {
                  const n = c[q];
                  return n ? `赞成 ${n.yes}，反对 ${n.no}，弃权 ${n.abstain}` : '—';
                },
              })),
            ]}
          />
        </>
      )}
    </div>
  );
}

function RoundResultCard({ round }: { round: RoundView }) {
  const result = round.result;
  if (!result) return null;
  type Row = RoundView['candidates'][number];
  const byId = new Map(result.candidates.map((c) => [c.applicationId, c]));
  return (
    <Card
      size="small"
      className="block-gap"
      title={`第${round.number}轮（${round.purposeLabel}）计票结果`}
      extra={
        <Space size="middle">
          <Link to={`/admin/meeting/rounds/${encodeURIComponent(round.id)}/print`}>打印计票结果</Link>
          <a href={resultXlsxUrl(round.id)} download>
            下载计票结果
          </a>
        </Space>
      }
    >
      <Typography.Paragraph>
        到会专家 {result.present} 人，通过须赞成票至少 {result.threshold} 票。结束于 {formatTime(round.closedAt)}。
        {result.next ? ` 尚需${ROUND_PURPOSE_LABELS[result.next.purpose]}（候选人${result.next.candidates.length}人）。` : ' 本轮后各项名额均已产生。'}
      </Typography.Paragraph>
      <Table<Row>
        size="small"
        rowKey="applicationId"
        pagination={false}
        scroll={{ x: 600 }}
        dataSource={round.candidates}
        columns={[
          { title: '候选人', dataIndex: 'name', width: 100 },
          { title: '网上名次', dataIndex: 'onlineRank', width: 90, render: (v: number | null) => v ?? '—' },
          ...round.questions.map((q) => ({
            title: QUESTION_LABELS[q],
            key: q,
            render: (_: unknown, c: Row) => {
              const o = byId.get(c.applicationId)?.[q];
              if (!o) return '—';
              const verdict = result.elected[q].includes(c.applicationId) ? (
                <Tag color="green">当选</Tag>
              ) : result.tied[q].includes(c.applicationId) ? (
                <Tag color="orange">同票待决选</Tag>
              ) : o.passed ? (
                <Tag>通过</Tag>
              ) : (
                <Tag>未通过</Tag>
              );
              return (
                <span>
                  赞成 {o.yes}，反对 {o.no}，弃权 {o.abstain} {verdict}
                </span>
              );
            },
          })),
        ]}
      />
    </Card>
  );
}
