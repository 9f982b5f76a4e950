import { useEffect, useRef, useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Drawer, Empty, Radio, Space, Spin, Tag, Typography } from 'antd';
import { errorMessage } from '../../api';
import { getApplication } from '../../client/applications';
import { formatTime, useLoader } from '../../hooks';
import type { ApplicationDetail } from '../../types';
import { OpenedApplicationReadView, OpenedApplicationTitle, OpenedApplicationViewer } from '../unit/OpenedApplication';
import { CHOICE_LABELS, CHOICES, QUESTION_LABELS, type Choice, type Question } from '../../../../core/meeting/rules';
import { getBallot, myMeetings, saveBallot, signIn, submitBallot, type BallotWriteReply, type ExpertMeeting } from '../../client/meeting';
import { missingVotes, takeReply, voteKey, withMyChoices, type MyChoices } from './ballotState';

/** How often the page asks whether a round has started or closed (the expert has no live stream: the tally is not theirs). */
const POLL_MS = 10_000;

/**
 * 集中评选 — the expert's page, on a phone or a laptop: 【签到】, then the ballot of the open round: each candidate with
 * the online figures and a short summary (the full 申请书 opens in a drawer, its files in the viewer), 赞成/反对/弃权 per question, each choice
 * saved at once as a draft; 【提交选票】 when every candidate has a vote on every question, after which it is locked.
 */
export default function ExpertMeetingPage() {
  const { data, error, loading, reload } = useLoader(myMeetings, []);
  useEffect(() => {
    const timer = setInterval(() => void reload(), POLL_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const meetings = data?.meetings ?? [];
  return (
    <Card
      title="集中评选"
      extra={
        <Button onClick={() => void reload()} loading={loading}>
          刷新
        </Button>
      }
    >
      {error && <Alert type="error" showIcon title={error} className="block-gap" />}
      {data && !meetings.length && <Empty description="您不在任何集中评选会议的评审专家名单中" />}
      {meetings.map((m) => (
        <MeetingBlock key={m.meetingId} meeting={m} onChanged={() => void reload()} />
      ))}
    </Card>
  );
}

function MeetingBlock({ meeting: m, onChanged }: { meeting: ExpertMeeting; onChanged: () => void }) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const doSignIn = async () => {
    setBusy(true);
    try {
      await signIn(m.campaignId);
      message.success('签到成功');
      onChanged();
    } catch (err) {
      message.error(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="block-gap">
      <Descriptions size="small" column={{ xs: 1, sm: 2 }} bordered>
        <Descriptions.Item label="评选活动">{m.campaignTitle}</Descriptions.Item>
        <Descriptions.Item label="集中评选时间">
          {m.window.start} 至 {m.window.end} {m.window.open ? <Tag color="green">进行中</Tag> : <Tag>不在时间内</Tag>}
        </Descriptions.Item>
        <Descriptions.Item label="会议">{m.status === 'open' ? <Tag color="blue">进行中</Tag> : <Tag>已结束</Tag>}</Descriptions.Item>
        <Descriptions.Item label="签到">
          {m.signedIn ? <Tag color="green">已签到 {formatTime(m.signedInAt)}</Tag> : <Tag color="orange">未签到</Tag>}
        </Descriptions.Item>
      </Descriptions>
      {!m.signedIn && m.status === 'open' && (
        <Button type="primary" size="large" block className="block-gap" loading={busy} disabled={!m.window.open} onClick={() => void doSignIn()}>
          签到
        </Button>
      )}
      {m.signedIn && m.status === 'open' && !m.round && (
        <Alert className="block-gap" type="info" showIcon title="当前没有进行中的投票，请等待自治区科协开始投票（本页每10秒自动刷新）" />
      )}
      {/* keyed by the round: a new round's ballot starts with nothing of the last one's */}
      {m.signedIn && m.round && <Ballot key={m.round.id} roundId={m.round.id} onChanged={onChanged} />}
    </div>
  );
}

function Ballot({ roundId, onChanged }: { roundId: string; onChanged: () => void }) {
  const { message, modal } = App.useApp();
  const { data: held, setData, error, loading, reload } = useLoader(() => getBallot(roundId), [roundId]);
  // the choices made here, shown at once and over every reply (ballotState.ts says why)
  const [mine, setMine] = useState<MyChoices>({});
  // the votes being written: a vote's buttons wait for its own write; 【提交选票】 waits for all of them
  const [writing, setWriting] = useState<ReadonlySet<string>>(() => new Set());
  const writes = useRef(new Set<Promise<unknown>>());
  const [submitting, setSubmitting] = useState(false);
  const [viewer, setViewer] = useState<ApplicationDetail | null>(null);
  const [files, setFiles] = useState(false);
  const ballot = held && withMyChoices(held, mine);
  // what 【提交选票】 sends is the ballot as shown when it is confirmed, not when its dialog opened
  const shown = useRef(ballot);
  shown.current = ballot;
  if (loading && !ballot) return <Spin />;
  if (error) return <Alert type="error" showIcon title={error} className="block-gap" />;
  if (!ballot) return null;
  const locked = ballot.state === 'submitted' || !ballot.roundOpen || submitting;
  const missing = missingVotes(ballot);
  const take = (reply: BallotWriteReply) => setData((current) => takeReply(current, reply));

  const choose = async (applicationId: string, question: Question, choice: Choice) => {
    const key = voteKey(applicationId, question);
    setMine((m) => ({ ...m, [key]: choice }));
    setWriting((w) => new Set(w).add(key));
    const write = saveBallot(roundId, [{ applicationId, question, choice }]);
    writes.current.add(write);
    try {
      take(await write);
    } catch (err) {
      // not saved: the page shows the server's ballot again (the round may have closed)
      message.error(errorMessage(err));
      setMine(({ [key]: _, ...rest }) => rest);
      void reload();
      onChanged();
    } finally {
      writes.current.delete(write);
      setWriting((w) => {
        const left = new Set(w);
        left.delete(key);
        return left;
      });
    }
  };
  const submit = () =>
    modal.confirm({
      title: '提交选票',
      content: '提交后选票不能再修改。确定提交吗？',
      okText: '提交选票',
      cancelText: '取消',
      onOk: async () => {
        setSubmitting(true);
        try {
          // the votes still being saved first: one answered after the submission would be refused (选票不能再修改)
          await Promise.allSettled([...writes.current]);
          const now = shown.current!;
          const votes = now.candidates.flatMap((c) =>
            now.questions.flatMap((q) => (c.votes[q] ? [{ applicationId: c.applicationId, question: q, choice: c.votes[q] }] : [])),
          );
          take(await submitBallot(roundId, votes));
          message.success('选票已提交');
          onChanged();
        } catch (err) {
          message.error(errorMessage(err));
        } finally {
          setSubmitting(false);
        }
      },
    });
  const openApplication = async (id: string) => {
    try {
      setViewer(await getApplication(id));
    } catch (err) {
      message.error(errorMessage(err));
    }
  };

  return (
    <div className="block-gap">
      <Typography.Title level={2} className="section-title">
        第{ballot.number}轮（{ballot.purposeLabel}）选票{' '}
        {ballot.state === 'submitted' ? <Tag color="green">已提交</Tag> : ballot.roundOpen ? <Tag color="orange">未提交</Tag> : <Tag>本轮已结束</Tag>}
      </Typography.Title>
      <Typography.Paragraph type="secondary">
        表决事项：{ballot.questions.map((q) => QUESTION_LABELS[q]).join('；')}。您的选择会即时保存，全部表决后点击【提交选票】；您看不到其他专家的投票。
      </Typography.Paragraph>
      <Space direction="vertical" style={{ width: '100%' }}>
        {ballot.candidates.map((c, i) => (
          <Card
            key={c.applicationId}
            size="small"
            title={`${i + 1}. ${c.name}`}
            extra={
              <Button size="small" onClick={() => void openApplication(c.applicationId)}>
                查看申请书
              </Button>
            }
          >
            <Typography.Paragraph style={{ marginBottom: 8 }}>
              {c.workUnit}
              {c.title && `，${c.title}`}
              {c.field && `，推荐领域：${c.field}`}
              <br />
              网上评选：{c.onlineRank === null ? '无名次' : `${c.onlineTied ? '并列' : ''}第${c.onlineRank}名`}
              {c.onlineFigure !== null && `（${c.onlineFigure.toFixed(2)}）`}
            </Typography.Paragraph>
            {/* the two questions side by side where the width allows (a laptop), one under the other on a phone */}
            <div style={{ display: 'flex', flexWrap: 'wrap', columnGap: 48 }}>
              {ballot.questions.map((q) => (
                <div key={q} style={{ marginBottom: 8 }}>
                  <div>{QUESTION_LABELS[q]}</div>
                  <Radio.Group
                    optionType="button"
                    buttonStyle="solid"
                    disabled={locked || writing.has(voteKey(c.applicationId, q))}
                    value={c.votes[q]}
                    onChange={(e) => void choose(c.applicationId, q, e.target.value as Choice)}
                    options={CHOICES.map((x) => ({ value: x, label: CHOICE_LABELS[x] }))}
                    aria-label={`${c.name}：${QUESTION_LABELS[q]}`}
                  />
                </div>
              ))}
            </div>
          </Card>
        ))}
      </Space>
      {!locked && (
        // kept in sight at the foot of the screen while the list scrolls: what is left to vote is always shown
        <div className="ballot-submit" style={{ position: 'sticky', bottom: 0, zIndex: 10, background: '#fff', padding: '8px 0' }}>
          <Button type="primary" size="large" block disabled={missing > 0} onClick={submit}>
            {missing > 0 ? `提交选票（尚有${missing}项未表决）` : '提交选票'}
          </Button>
        </div>
      )}
      {viewer && (
        <Drawer open width={Math.min(960, window.innerWidth)} title={<OpenedApplicationTitle detail={viewer} />} onClose={() => setViewer(null)}>
          <OpenedApplicationReadView detail={viewer} changes={null} idPrefix="meeting" onAttachments={() => setFiles(true)} />
          <OpenedApplicationViewer detail={viewer} open={files} onClose={() => setFiles(false)} />
        </Drawer>
      )}
    </div>
  );
}
