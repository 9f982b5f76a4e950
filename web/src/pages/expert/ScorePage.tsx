import { useState } from 'react';
import { Alert, App, Button, Card, Col, Descriptions, Input, InputNumber, Radio, Result, Row, Space, Spin, Tag, Typography } from 'antd';
import { Link, useNavigate, useParams } from 'react-router';
import { getApplication } from '../../client/applications';
import { declareRecusal, getMySheet, saveSheet, submitSheet, type SheetReply, type SheetValues } from '../../client/review';
import { errorMessage } from '../../api';
import { formatTime, useLoader } from '../../hooks';
import { OpenedApplicationReadView, OpenedApplicationTitle, OpenedApplicationViewer } from '../unit/OpenedApplication';
import { WindowNote } from '../review/WindowNote';
import { STATE_COLORS } from './ReviewListPage';
import './score.css';

const LIST = '/zmkj/review';
const COMMENT_MAX = 500;

/** The sum of the score criteria, in tenths (as the server computes it). */
function totalOf(sheet: SheetReply, values: SheetValues): number {
  let tenths = 0;
  for (const c of sheet.rubric.criteria) {
    const v = c.kind === 'score' ? values.scores[c.key] : null;
    if (typeof v === 'number') tenths += Math.round(v * 10);
  }
  return tenths / 10;
}

const valuesOf = (s: SheetReply): SheetValues => ({ scores: { ...s.scores }, gates: { ...s.gates }, comment: s.comment ?? '' });

/**
 * 网上评选 of one candidate (the expert's): the whole 申请书 read-only (photos, videos, 补充材料, scans in 附件), the
 * unit's 推荐单位意见 and 初评, and the score sheet — beside it on a desktop, below it on a phone. 【保存】 keeps a draft;
 * 【提交】 asks for confirmation with the total, and the sheet is locked after. 申报回避 takes the candidate away.
 */
export default function ScorePage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const { message, modal } = App.useApp();
  const { data: detail, error: detailError } = useLoader(() => getApplication(id), [id]);
  const [values, setValues] = useState<SheetValues | null>(null);
  const { data: sheet, setData: setSheet, error: sheetError } = useLoader(() => getMySheet(id), [id], { onLoad: (s) => setValues(valuesOf(s)) });
  const [busy, setBusy] = useState<null | 'save' | 'submit'>(null);
  const [viewerOpen, setViewerOpen] = useState(false);
  const [recusalOpen, setRecusalOpen] = useState(false);
  const [reason, setReason] = useState('');

  const loadError = detailError ?? sheetError;
  if (loadError) {
    return <Result status="warning" title="无法打开该候选人的评审" subTitle={loadError} extra={<Link to={LIST}>返回网上评选</Link>} />;
  }
  if (!detail || !sheet || !values) {
    return (
      <div className="page-loading">
        <Spin description="正在加载申请书和评分表…" />
      </div>
    );
  }

  const locked = sheet.state === 'submitted';
  const closed = !sheet.window.open;
  const readOnly = locked || closed;
  const total = totalOf(sheet, values);
  const body = (): SheetValues => ({ ...values, comment: values.comment?.trim() ? values.comment : undefined });

  const run = async (kind: 'save' | 'submit') => {
    setBusy(kind);
    try {
      const s = kind === 'save' ? await saveSheet(id, body()) : await submitSheet(id, body());
      setSheet(s);
      setValues(valuesOf(s));
      void message.success(kind === 'save' ? `评分已保存，当前总分 ${s.total?.toFixed(1) ?? '0.0'} 分` : `评分已提交，总分 ${s.total?.toFixed(1)} 分`);
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  const missing = sheet.rubric.criteria.filter((c) =>
    c.kind === 'score' ? typeof values.scores[c.key] !== 'number' : typeof values.gates[c.key] !== 'boolean',
  );
  const confirmSubmit = () => {
    if (missing.length) {
      void message.warning(`请先完成：${missing.map((c) => c.name).join('、')}`);
      return;
    }
    const failed = sheet.rubric.criteria.filter((c) => c.kind === 'gate' && values.gates[c.key] === false);
    modal.confirm({
      title: '确认提交评分',
      content: (
        <div>
          <p>
            候选人：{detail.form.name || detail.applicantName}，总分 <strong className="score-total">{total.toFixed(1)}</strong> 分
            {failed.length > 0 && `（${failed.map((c) => c.name).join('、')}：否）`}。
          </p>
          <p>提交后评分表将锁定，不能再修改。确定提交吗？</p>
        </div>
      ),
      okText: '提交',
      cancelText: '取消',
      onOk: () => run('submit'),
    });
  };

  const sendRecusal = async () => {
    try {
      await declareRecusal(id, reason);
      setRecusalOpen(false);
      void message.success('已申报回避，该候选人已从您的评审任务中移除');
      navigate(LIST);
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };

  const p = detail.preliminary;
  const opinions = [
    { key: 'recommend', label: '推荐单位意见', text: detail.opinions.recommend },
    { key: 'preliminary', label: '初评结果', text: p ? `${p.resultLabel}${p.reason ? `：${p.reason}` : ''}（${p.by}，${formatTime(p.at)}）` : null },
  ].filter((o) => o.text?.trim());

  return (
    <div className="handle-page score-page">
      <Card size="small" className="handle-card">
        <div className="editor-head-row">
          <OpenedApplicationTitle detail={detail} />
          <Space wrap>
            {/* on a phone the sheet is below the 申请书: one tap to it */}
            <Button className="score-jump" type="primary" onClick={() => document.getElementById('score-sheet')?.scrollIntoView({ behavior: 'smooth' })}>
              去评分
            </Button>
            <Button onClick={() => navigate(LIST)}>返回</Button>
          </Space>
        </div>
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14} xxl={15}>
          <OpenedApplicationReadView detail={detail} changes={null} idPrefix="score" onAttachments={() => setViewerOpen(true)} />
          {opinions.length > 0 && (
            <Card size="small" title="推荐单位意见及初评" className="editor-section">
              <Descriptions
                bordered
                size="small"
                column={1}
                items={opinions.map((o) => ({ key: o.key, label: o.label, children: <span className="pre-wrap">{o.text}</span> }))}
              />
            </Card>
          )}
        </Col>
        <Col xs={24} lg={10} xxl={9}>
          <Card
            size="small"
            className="score-sheet"
            id="score-sheet"
            title={
              <Space size={8} wrap>
                <span>评分表</span>
                <Tag color={STATE_COLORS[sheet.state]}>{sheet.stateLabel}</Tag>
              </Space>
            }
            extra={<span className="score-total-line">总分 {total.toFixed(1)}</span>}
          >
            <WindowNote window={sheet.window} />
            {sheet.reopenReason !== null && !locked && (
              <Alert className="block-gap" type="error" showIcon title={`自治区科协退回重评：${sheet.reopenReason}`} />
            )}
            {locked && <Alert className="block-gap" type="success" showIcon title={`已于 ${formatTime(sheet.submittedAt)} 提交，评分表已锁定`} />}
            {sheet.rubric.criteria.map((c) => (
              <div key={c.key} className="score-item">
                <div className="score-item-head">
                  <Typography.Text strong>{c.name}</Typography.Text>
                  <Typography.Text type="secondary">{c.kind === 'score' ? `满分${c.maxScore}分` : '是否项'}</Typography.Text>
                </div>
                <Typography.Paragraph type="secondary" className="score-item-desc">
                  {c.description}
                </Typography.Paragraph>
                {c.kind === 'score' ? (
                  <InputNumber
                    aria-label={c.name}
                    min={0}
                    max={c.maxScore}
                    step={0.1}
                    precision={1}
                    disabled={readOnly}
                    value={values.scores[c.key] ?? null}
                    placeholder={`0–${c.maxScore}`}
                    inputMode="decimal"
                    className="score-input"
                    onChange={(v) => setValues({ ...values, scores: { ...values.scores, [c.key]: typeof v === 'number' ? v : null } })}
                  />
                ) : (
                  <Radio.Group
                    aria-label={c.name}
                    disabled={readOnly}
                    value={values.gates[c.key] ?? null}
                    onChange={(e) => setValues({ ...values, gates: { ...values.gates, [c.key]: e.target.value as boolean } })}
                    options={[
                      { label: '是', value: true },
                      { label: '否', value: false },
                    ]}
                  />
                )}
              </div>
            ))}
            <div className="score-item">
              <Typography.Text strong>评语</Typography.Text>
              <Input.TextArea
                aria-label="评语"
                rows={4}
                maxLength={COMMENT_MAX}
                showCount
                disabled={readOnly}
                value={values.comment ?? ''}
                placeholder="选填"
                onChange={(e) => setValues({ ...values, comment: e.target.value })}
              />
            </div>
            {!readOnly && (
              <Space wrap className="score-actions">
                <Button onClick={() => void run('save')} loading={busy === 'save'} disabled={busy !== null}>
                  保存
                </Button>
                <Button type="primary" onClick={confirmSubmit} loading={busy === 'submit'} disabled={busy !== null}>
                  提交
                </Button>
                {!recusalOpen && sheet.state !== 'submitted' && (
                  <Button type="link" danger onClick={() => setRecusalOpen(true)}>
                    申报回避
                  </Button>
                )}
              </Space>
            )}
            {recusalOpen && (
              <div className="score-item">
                <Typography.Text strong>回避理由</Typography.Text>
                <Input.TextArea
                  aria-label="回避理由"
                  rows={2}
                  maxLength={200}
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                  placeholder="如：与候选人为同一课题组成员"
                />
                <Space className="score-actions">
                  <Button danger type="primary" onClick={() => void sendRecusal()}>
                    确认回避
                  </Button>
                  <Button onClick={() => setRecusalOpen(false)}>取消</Button>
                </Space>
              </div>
            )}
          </Card>
        </Col>
      </Row>
      <OpenedApplicationViewer detail={detail} open={viewerOpen} onClose={() => setViewerOpen(false)} />
    </div>
  );
}
