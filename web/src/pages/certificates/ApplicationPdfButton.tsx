import { useState } from 'react';
import { App, Button, Modal, Typography } from 'antd';
import { PrinterOutlined } from '@ant-design/icons';
import { errorMessage } from '../../api';
import { startApplicationPdf } from '../../client/certificates';
import type { JobView } from '../../client/jobs';
import { JobFollower } from './JobFollower';

/** 打印申请书: the printable 申请书/推荐表 PDF (with the 推荐单位意见 and boxes for 签字、盖章、日期), made as a background job. */
export function ApplicationPdfButton({ applicationId, size, type }: { applicationId: string; size?: 'small' | 'middle'; type?: 'link' | 'default' }) {
  const { message } = App.useApp();
  const [job, setJob] = useState<JobView | null>(null);
  const [starting, setStarting] = useState(false);
  const start = async () => {
    setStarting(true);
    try {
      setJob(await startApplicationPdf(applicationId));
    } catch (err) {
      message.error(errorMessage(err));
    } finally {
      setStarting(false);
    }
  };
  return (
    <>
      <Button size={size} type={type} icon={type === 'link' ? undefined : <PrinterOutlined />} loading={starting} onClick={() => void start()}>
        打印申请书
      </Button>
      <Modal title="打印申请书（PDF）" open={job !== null} onCancel={() => setJob(null)} footer={null} destroyOnHidden>
        <Typography.Paragraph type="secondary">按使用手册的表格生成申请书/推荐表，含推荐单位意见及签字、盖章、日期栏，可打印后盖章存档。</Typography.Paragraph>
        {job && <JobFollower job={job} />}
      </Modal>
    </>
  );
}
