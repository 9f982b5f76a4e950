import { Alert } from 'antd';
import type { ReviewListReply } from '../../client/review';

type Window = NonNullable<ReviewListReply['window']>;

/** "还剩3天5小时" until `closesAt`, from `now`. */
export function timeLeft(closesAt: string, now = Date.now()): string {
  const ms = Date.parse(closesAt) - now;
  if (ms <= 0) return '已截止';
  const hours = Math.floor(ms / 3_600_000);
  const days = Math.floor(hours / 24);
  if (days > 0) return `还剩${days}天${hours % 24}小时`;
  if (hours > 0) return `还剩${hours}小时${Math.floor((ms % 3_600_000) / 60_000)}分钟`;
  return `还剩${Math.max(1, Math.floor(ms / 60_000))}分钟`;
}

/** The 网上评选 window and the time left in it (or why scoring is closed). */
export function WindowNote({ window: w }: { window: Window }) {
  const range = `网上评选时间：${w.start} 至 ${w.end}（北京时间，截止日24时止）`;
  if (w.open) return <Alert className="block-gap" type="info" showIcon title={`${range}，${timeLeft(w.closesAt)}`} />;
  const notYet = Date.now() < Date.parse(w.opensAt);
  return <Alert className="block-gap" type="warning" showIcon title={`${range}，${notYet ? '尚未开始' : '已经结束'}，当前不能保存或提交评分`} />;
}
