import { Alert, Button, Spin } from 'antd';
import { Link, useParams } from 'react-router';
import { QUESTION_LABELS } from '../../../../core/meeting/rules';
import { formatTime, useLoader } from '../../hooks';
import { getRound } from '../../client/meeting';

/** A name, a number: never broken across lines (the counts' columns take what is left of A4's width). */
const NOWRAP = { whiteSpace: 'nowrap' } as const;
const PRINT_CSS = '@media print { @page { size: A4; margin: 15mm 15mm 18mm; } .ant-message, .ant-notification { display: none !important; } }';

/**
 * 计票结果, for print (issue 14, 3.): one closed round on a sheet — the counts per candidate and question, what passed
 * and who was elected, the quorum and threshold — with lines for the 计票人, 监票人 and 主持人 to sign. The page's
 * frame (top bar, menu, footer) and its buttons are left out of the printout (styles.css @media print).
 */
export default function RoundPrintPage() {
  const { id = '' } = useParams();
  const { data: round, error } = useLoader(() => getRound(id), [id]);
  if (error) return <Alert type="error" showIcon title={`计票结果加载失败：${error}`} />;
  if (!round) return <Spin />;
  const result = round.result;
  if (!result) return <Alert type="info" showIcon title={`第${round.number}轮投票尚未结束，结束后才有计票结果`} />;
  const byId = new Map(result.candidates.map((c) => [c.applicationId, c]));
  const verdict = (q: (typeof round.questions)[number], applicationId: string, passed: boolean) =>
    result.elected[q].includes(applicationId) ? '当选' : result.tied[q].includes(applicationId) ? '同票待决选' : passed ? '通过' : '未通过';
  return (
    <div className="print-sheet">
      {/* on paper: A4 with a printer's margins, and no toast left over from the page before (结束本轮投票's) over the title */}
      <style>{PRINT_CSS}</style>
      <div className="no-print block-gap">
        <Button type="primary" onClick={() => window.print()}>
          打印
        </Button>{' '}
        <Link to="/admin/meeting">返回集中评选</Link>
      </div>
      <h2 className="print-title">
        “新疆最美科技工作者”集中评选 第{round.number}轮（{round.purposeLabel}）计票结果
      </h2>
      <p>
        到会专家 {result.present} 人，通过须赞成票至少 {result.threshold} 票。开始于 {formatTime(round.openedAt)}，结束于 {formatTime(round.closedAt)}。
      </p>
      <table className="print-table">
        <thead>
          <tr>
            <th scope="col" style={NOWRAP}>
              序号
            </th>
            <th scope="col" style={NOWRAP}>
              候选人
            </th>
            <th scope="col" style={NOWRAP}>
              网上评选名次
            </th>
            {round.questions.map((q) => (
              <th key={q} scope="col">
                {QUESTION_LABELS[q]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {round.candidates.map((c, i) => (
            <tr key={c.applicationId}>
              <td style={NOWRAP}>{i + 1}</td>
              <td style={NOWRAP}>{c.name}</td>
              <td style={NOWRAP}>{c.onlineRank ?? '—'}</td>
              {round.questions.map((q) => {
                const o = byId.get(c.applicationId)?.[q];
                return <td key={q}>{o ? `赞成 ${o.yes}，反对 ${o.no}，弃权 ${o.abstain}：${verdict(q, c.applicationId, o.passed)}` : '—'}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {round.questions.map((q) => (
        <p key={q}>
          {QUESTION_LABELS[q]}：本轮产生{' '}
          {result.elected[q].length ? result.elected[q].map((a) => round.candidates.find((c) => c.applicationId === a)?.name ?? a).join('、') : '无'}
          {result.tied[q].length ? `；同票待决选：${result.tied[q].map((a) => round.candidates.find((c) => c.applicationId === a)?.name ?? a).join('、')}` : ''}
          。
        </p>
      ))}
      <p className="print-signatures">
        <span>计票人：＿＿＿＿＿＿</span>
        <span>监票人：＿＿＿＿＿＿</span>
        <span>主持人：＿＿＿＿＿＿</span>
        <span>日期：＿＿＿＿年＿＿月＿＿日</span>
      </p>
    </div>
  );
}
