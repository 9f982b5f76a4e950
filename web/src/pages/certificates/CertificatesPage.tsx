import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Image, Popconfirm, Space, Tag, Typography, Upload } from 'antd';
import { DeleteOutlined, DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { errorMessage } from '../../api';
import { ResponsiveList, type ListColumn } from '../../components/ResponsiveList';
import {
  getCampaignCertificates,
  removeSeal,
  startCertificateZip,
  uploadSeal,
  type CampaignCertificates,
  type CertificateView,
} from '../../client/certificates';
import type { JobView } from '../../client/jobs';
import { formatTime, useCurrentCampaign, useLoader } from '../../hooks';
import { JobFollower } from './JobFollower';

const SEAL_MAX_MB = 2;
type Seal = CampaignCertificates['seals'][number];

/**
 * 证书 (自治区科协, issue 15, 3.): the seal images of the three 主办单位 (or blank areas for stamping by hand), every
 * certificate issued at 发布 with its PDF and verification link, and all of them as one ZIP (a background job).
 */
export default function CertificatesPage() {
  const { message } = App.useApp();
  const { data: campaign, error: campaignError } = useCurrentCampaign();
  const campaignId = campaign?.id ?? null;
  const [data, setData] = useState<CampaignCertificates | null>(null);
  const { error, reload } = useLoader(async () => (campaignId ? getCampaignCertificates(campaignId) : null), [campaignId], { onLoad: (v) => setData(v) });
  // while certificates are being drawn (just after 发布, or after a seal changed), look again every few seconds
  const pending = !!data?.certificates.some((c) => !c.rendered);
  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(() => void reload(), 3000);
    return () => clearTimeout(timer);
  }, [pending, data]);
  const [busy, setBusy] = useState<number | null>(null);
  const [zipJob, setZipJob] = useState<JobView | null>(null);
  const [starting, setStarting] = useState(false);

  const sealAction = async (position: number, action: () => Promise<CampaignCertificates>, done: string) => {
    setBusy(position);
    try {
      setData(await action());
      message.success(done);
    } catch (err) {
      message.error(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  const startZip = async () => {
    if (!campaignId) return;
    setStarting(true);
    try {
      setZipJob(await startCertificateZip(campaignId));
    } catch (err) {
      message.error(errorMessage(err));
    } finally {
      setStarting(false);
    }
  };

  const columns: ListColumn<CertificateView>[] = [
    { key: 'number', title: '证书编号', dataIndex: 'number' },
    { key: 'name', title: '姓名', dataIndex: 'name' },
    { key: 'title', title: '荣誉称号', dataIndex: 'title' },
    { key: 'issuedOn', title: '颁发日期', dataIndex: 'issuedOn' },
    {
      key: 'rendered',
      title: '状态',
      render: (_v, c) => (c.rendered ? <Tag color="success">已生成</Tag> : <Tag color="processing">生成中</Tag>),
    },
    {
      key: 'actions',
      title: '操作',
      render: (_v, c) => (
        <Space wrap>
          <Button size="small" icon={<DownloadOutlined />} href={c.downloadUrl} aria-label={`下载证书 ${c.number}`}>
            下载
          </Button>
          <Button size="small" type="link" href={c.verifyUrl} target="_blank" rel="noopener noreferrer" aria-label={`打开验证页面 ${c.number}`}>
            验证页面
          </Button>
        </Space>
      ),
    },
  ];

  if (campaignError) return <Alert type="error" showIcon title={`评选活动加载失败：${campaignError}`} />;
  return (
    <>
      <Typography.Title level={1}>证书</Typography.Title>
      {error && <Alert className="block-gap" type="error" showIcon title={`证书加载失败：${error}`} />}
      {data && !data.verifyOriginConfigured && (
        <Alert
          className="block-gap"
          type="warning"
          showIcon
          title={`证书上的二维码指向 ${data.verifyOrigin}：正式发布前请由技术人员设置 PUBLIC_URL（平台对外访问地址），再重新生成证书。`}
        />
      )}
      <Card className="block-gap" loading={!data && !error}>
        <Typography.Title level={2} className="section-title">
          主办单位印章
        </Typography.Title>
        <Typography.Paragraph type="secondary">
          {`可上传三个主办单位的印章图片（PNG 透明背景或 JPEG，不超过${SEAL_MAX_MB}MB），印在证书上；未上传的位置留空，供打印后加盖实物印章。更换或删除印章后，全部证书将重新生成。`}
        </Typography.Paragraph>
        <Space wrap size="large" align="start">
          {data?.seals.map((seal: Seal) => (
            <Card key={seal.position} size="small" title={seal.host} style={{ width: 220 }}>
              <div className="seal-preview" style={{ height: 140, display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
                {seal.imageUrl ? (
                  <Image src={`${seal.imageUrl}?t=${encodeURIComponent(seal.uploadedAt ?? '')}`} alt={`${seal.host}印章`} height={130} preview={false} />
                ) : (
                  <Typography.Text type="secondary">未上传（留空盖章）</Typography.Text>
                )}
              </div>
              {seal.uploadedAt && <Typography.Paragraph type="secondary">{`上传于 ${formatTime(seal.uploadedAt)}`}</Typography.Paragraph>}
              <Space wrap>
                <Upload
                  accept="image/png,image/jpeg"
                  showUploadList={false}
                  beforeUpload={(file) => {
                    if (file.size > SEAL_MAX_MB * 1024 * 1024) {
                      message.error(`印章图片不能超过${SEAL_MAX_MB}MB`);
                      return false;
                    }
                    if (campaignId) void sealAction(seal.position, () => uploadSeal(campaignId, seal.position, file), `${seal.host}印章已上传`);
                    return false;
                  }}
                >
                  <Button
                    size="small"
                    icon={<UploadOutlined />}
                    loading={busy === seal.position}
                    aria-label={`${seal.uploadedAt ? '更换' : '上传'}${seal.host}印章`}
                  >
                    {seal.uploadedAt ? '更换' : '上传'}
                  </Button>
                </Upload>
                {seal.uploadedAt && campaignId && (
                  <Popconfirm
                    title="删除该印章？"
                    description="删除后证书上该位置留空"
                    okText="删除"
                    cancelText="取消"
                    onConfirm={() => sealAction(seal.position, () => removeSeal(campaignId, seal.position), `${seal.host}印章已删除`)}
                  >
                    <Button size="small" danger icon={<DeleteOutlined />} aria-label={`删除${seal.host}印章`}>
                      删除
                    </Button>
                  </Popconfirm>
                )}
              </Space>
            </Card>
          ))}
        </Space>
      </Card>
      <Card loading={!data && !error}>
        <Typography.Title level={2} className="section-title">
          证书列表
        </Typography.Title>
        {data && !data.certificates.length && (
          <Alert
            className="block-gap"
            type="info"
            showIcon
            title={data.published ? '本次评选活动没有颁发证书' : '证书在发布结果时生成：当选人员和全国推荐人选各一份'}
          />
        )}
        {data && data.certificates.length > 0 && (
          <>
            <Space className="block-gap" wrap>
              <Button type="primary" icon={<DownloadOutlined />} loading={starting} onClick={() => void startZip()}>
                下载全部证书（ZIP）
              </Button>
              <Button onClick={() => void reload()}>刷新</Button>
            </Space>
            {zipJob && (
              <div className="block-gap">
                <JobFollower job={zipJob} onDone={() => void reload()} />
              </div>
            )}
            <ResponsiveList<CertificateView> rowKey="number" columns={columns} dataSource={data.certificates} emptyText="暂无证书" label="证书列表" />
          </>
        )}
      </Card>
    </>
  );
}
