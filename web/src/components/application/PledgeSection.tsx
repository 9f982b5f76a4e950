import { Button, Typography } from 'antd';
import { CheckCircleFilled } from '@ant-design/icons';
import { formatTime } from '../../hooks';

interface Props {
  regulations: string | null;
  pledgedAt: string | null;
  canPledge: boolean;
  pledging: boolean;
  onPledge: () => void;
}

/** 承诺: read the regulations, then 【我承诺】. */
export function PledgeSection({ regulations, pledgedAt, canPledge, pledging, onPledge }: Props) {
  return (
    <>
      <Typography.Paragraph type="secondary">请认真阅读以下评选条例，确认无误后点击下方按钮作出承诺。</Typography.Paragraph>
      <div className="regulations" tabIndex={0} role="region" aria-label="评选条例">
        {regulations ?? '正在加载评选条例…'}
      </div>
      <div className="pledge-row">
        {pledgedAt ? (
          <Typography.Text type="success">
            <CheckCircleFilled /> 已承诺 于 {formatTime(pledgedAt)}
          </Typography.Text>
        ) : canPledge ? (
          <Button type="primary" onClick={onPledge} loading={pledging} disabled={!regulations}>
            我承诺
          </Button>
        ) : (
          <Typography.Text type="secondary">尚未承诺</Typography.Text>
        )}
      </div>
    </>
  );
}
