import { useState } from 'react';
import { Alert, Button, Card, Empty, Form, Select, Space, Table, Tag, Tooltip, Typography, type TableColumnType } from 'antd';
import { Link } from 'react-router';
import { RANK_FIGURE_LABELS, RANK_FIGURE_NOTES, RANK_FIGURES } from '../../../../core/review';
import { getRanking, rankingXlsxHref, type RankFigure, type RankingReply, type RankingRow } from '../../client/ranking';
import { useCurrentCampaign, useLoader } from '../../hooks';

/** 分歧较大: the totals of one candidate's sheets spread this much (population standard deviation, or highest − lowest). */
export const SPREAD_STD = 8;
export const SPREAD_RANGE = 20;
const SPREAD_RULE = `各评分表总分的标准差不低于${SPREAD_STD}分，或最高分与最低分相差不低于${SPREAD_RANGE}分，提示专家意见分歧较大`;

const fixed2 = (x: number | null) => (x === null ? '—' : x.toFixed(2));
const largeSpread = (r: RankingRow) => (r.std ?? 0) >= SPREAD_STD || (r.range ?? 0) >= SPREAD_RANGE;

/** The marks of a row (beside the name, seen without scrolling): 政治过硬 否, 分歧较大, 尚有N份未提交. */
function Marks({ row, gateNames }: { row: RankingRow; gateNames: Map<string, string> }) {
  const gates = Object.entries(row.gateFailuresByKey).filter(([, n]) => n > 0);
  const missing = row.required - row.sheets;
  return (
    <Space size={[0, 4]} wrap>
      {gates.map(([key, n]) => (
        <Tag key={key} color="red">
          {gateNames.get(key) ?? key}有否决票 {n}
        </Tag>
      ))}
      {row.gateFailed && gates.length === 0 && <Tag color="red">有否决票 {row.gateFailures}</Tag>}
      {largeSpread(row) && (
        <Tooltip title={SPREAD_RULE}>
          <Tag color="orange" tabIndex={0}>
            分歧较大
          </Tag>
        </Tooltip>
      )}
      {missing > 0 && <Tag color="gold">尚有{missing}份未提交</Tag>}
    </Space>
  );
}

function columns(reply: RankingReply): TableColumnType<RankingRow>[] {
  const gateNames = new Map(reply.criteria.filter((c) => c.kind === 'gate').map((c) => [c.key, c.name]));
  const figure = (key: RankFigure): TableColumnType<RankingRow> => ({
    key,
    title: key === reply.by ? <strong>{RANK_FIGURE_LABELS[key]}</strong> : RANK_FIGURE_LABELS[key],
    align: 'right',
    width: key === 'additive' ? 140 : 100,
    render: (_: unknown, r) => (key === reply.by ? <strong>{fixed2(r[key])}</strong> : fixed2(r[key])),
  });
  return [
    { key: 'rank', title: '排名', dataIndex: 'rankLabel', width: 90, fixed: 'left' },
    { key: 'number', title: '申请书编号', dataIndex: 'number', width: 150 },
    {
      key: 'name',
      title: '姓名',
      width: 100,
      render: (_: unknown, r) => <Link to={`/zmkj/view/${encodeURIComponent(r.applicationId)}`}>{r.name}</Link>,
    },
    // the figure that ranks, beside the name (seen without scrolling); the other three after 评分表
    figure(reply.by),
    { key: 'marks', title: '标记', width: 160, render: (_: unknown, r) => <Marks row={r} gateNames={gateNames} /> },
    { key: 'workUnit', title: '工作单位', dataIndex: 'workUnit', width: 180 },
    { key: 'unitName', title: '推荐单位', width: 180, render: (_: unknown, r) => r.unitName ?? '—' },
    { key: 'field', title: '推荐领域', dataIndex: 'field', width: 110 },
    { key: 'sheets', title: '评分表', width: 80, align: 'right', render: (_: unknown, r) => `${r.sheets}/${r.required}` },
    ...RANK_FIGURES.filter((f) => f !== reply.by).map(figure),
    ...reply.criteria
      .filter((c) => c.kind !== 'gate')
      .map((c): TableColumnType<RankingRow> => ({
        key: `criterion-${c.key}`,
        title: `${c.name}（${c.maxScore}分）`,
        align: 'right',
        width: 110,
        render: (_: unknown, r) => fixed2(r.criterionMeans[c.key] ?? null),
      })),
    {
      key: 'std',
      title: '标准差',
      align: 'right',
      width: 90,
      render: (_: unknown, r) => (r.range === null ? fixed2(r.std) : <Tooltip title={`最高分与最低分相差${fixed2(r.range)}分`}>{fixed2(r.std)}</Tooltip>),
    },
  ];
}

/**
 * 网上评选结果 (自治区科协): the candidates ranked by the figure chosen (the campaign's by default), each figure, the
 * criteria's means, the spread and the marks; 【下载Excel】 saves the same ranking.
 */
export default function RankingPage() {
  const { data: campaign, error: campaignError } = useCurrentCampaign();
  const [by, setBy] = useState<RankFigure | null>(null);
  const campaignId = campaign?.id ?? null;
  const { data, loading, error } = useLoader(async () => (campaignId ? getRanking(campaignId, by ?? undefined) : null), [campaignId, by]);

  if (campaignError) return <Alert type="error" showIcon title={`评选活动加载失败：${campaignError}`} />;
  const chosen = by ?? data?.by ?? null;
  return (
    <Card title="网上评选结果" loading={!campaign || (!data && !error)}>
      {error && <Alert className="block-gap" type="error" showIcon title={`网上评选结果加载失败：${error}`} />}
      {data && campaignId && chosen && (
        <>
          <Form layout="vertical" className="ranking-controls">
            <Form.Item label="排名依据" htmlFor="ranking-by" extra={RANK_FIGURE_NOTES[chosen]}>
              <Space wrap>
                <Select<RankFigure>
                  id="ranking-by"
                  value={chosen}
                  onChange={setBy}
                  style={{ minWidth: 260 }}
                  options={data.figures.map((f) => ({
                    value: f.key,
                    label: f.key === data.defaultBy ? `${f.label}（默认）` : f.label,
                  }))}
                />
                <Button href={rankingXlsxHref(campaignId, chosen)} download>
                  下载Excel
                </Button>
              </Space>
            </Form.Item>
          </Form>
          {data.components > 1 && (
            <Alert
              className="block-gap"
              type="info"
              showIcon
              title={`评审分配分为${data.components}个互不相连的组`}
              description={`各组之间没有共同的评审专家，“${RANK_FIGURE_LABELS.additive}”只在同一组内可比，不同组候选人之间的比较请参考其他排名依据。`}
            />
          )}
          <Typography.Paragraph type="secondary">
            {`共${data.rows.length}位候选人，已提交评分表${data.submittedSheets}份；按“${data.byLabel}”从高到低排列，分数相同者并列。`}
          </Typography.Paragraph>
          {data.submittedSheets === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="尚无已提交的评分表" />
          ) : (
            <Table<RankingRow>
              rowKey="applicationId"
              size="small"
              loading={loading}
              dataSource={data.rows}
              columns={columns(data)}
              scroll={{ x: 'max-content' }}
              pagination={false}
            />
          )}
        </>
      )}
    </Card>
  );
}
