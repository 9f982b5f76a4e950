import { useEffect, useState } from 'react';
import { Alert, Button, Progress, Space, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { errorMessage } from '../../api';
import { getJob, jobEnded, jobPercent, type JobView } from '../../client/jobs';
import { formatSize } from '../../hooks';

/**
 * A background job followed to its end (docs/api/exports.md): the progress bar while it runs, polled once a second,
 * then the download link, or the failure's message. `onDone` once it finished.
 */
export function JobFollower({ job: started, onDone }: { job: JobView; onDone?: (job: JobView) => void }) {
  const [job, setJob] = useState(started);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setJob(started);
    setError(null);
    if (jobEnded(started)) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await getJob(started.id);
        if (stopped) return;
        setJob(next);
        if (jobEnded(next)) {
          onDone?.(next);
          return;
        }
      } catch (err) {
        if (!stopped) setError(errorMessage(err));
      }
      if (!stopped) timer = setTimeout(() => void poll(), 1000);
    };
    timer = setTimeout(() => void poll(), 500);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [started.id]);

  if (error) return <Alert type="error" showIcon title={error} />;
  if (job.status === 'failed' || job.status === 'cancelled') {
    return <Alert type="error" showIcon title={job.error ?? (job.status === 'cancelled' ? '任务已取消' : '任务失败')} />;
  }
  if (job.status === 'done' && job.downloadUrl) {
    return (
      <Space wrap>
        <Progress percent={100} size="small" style={{ width: 160 }} aria-label={`${job.label}进度`} />
        <Button type="primary" icon={<DownloadOutlined />} href={job.downloadUrl}>
          下载{job.result ? `（${formatSize(job.result.size)}）` : ''}
        </Button>
        {job.result && <Typography.Text type="secondary">{job.result.name}</Typography.Text>}
      </Space>
    );
  }
  return (
    <Space wrap>
      <Progress percent={jobPercent(job)} size="small" status="active" style={{ width: 200 }} aria-label={`${job.label}进度`} />
      <Typography.Text>
        {job.status === 'queued' ? '排队中' : '生成中'}
        {job.progress.total ? `：${job.progress.done}/${job.progress.total}` : ''}
      </Typography.Text>
    </Space>
  );
}
