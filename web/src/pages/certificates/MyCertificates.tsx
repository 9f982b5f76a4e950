import { Button, Card, List, Space, Tag, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { myCertificates } from '../../client/certificates';
import { useLoader } from '../../hooks';

/**
 * 证书 of the applicant's own applications, or of those submitted to the unit, once the result is published (the
 * server lists nothing before): each with its PDF and verification page. Nothing is shown while there is none.
 */
export function MyCertificates() {
  const { data } = useLoader(myCertificates, []);
  if (!data?.length) return null;
  return (
    <Card size="small" title="证书" className="block-gap" style={{ marginTop: 16 }}>
      <List
        dataSource={data}
        renderItem={(c) => (
          <List.Item
            key={c.number}
            actions={[
              <Button key="pdf" size="small" type="primary" icon={<DownloadOutlined />} href={c.downloadUrl} aria-label={`下载证书 ${c.number}`}>
                下载证书
              </Button>,
              <a key="verify" href={c.verifyUrl} target="_blank" rel="noopener noreferrer">
                验证页面
              </a>,
            ]}
          >
            {/* not List.Item.Meta: its title is an h4, out of the page's heading order */}
            <Space orientation="vertical" size={2}>
              <span>
                <Typography.Text strong>{c.name}</Typography.Text> <Tag color={c.kind === 'national' ? 'red' : 'gold'}>{c.title}</Tag>
              </span>
              <Typography.Text type="secondary">{`证书编号：${c.number} · 颁发日期：${c.issuedOn}`}</Typography.Text>
            </Space>
          </List.Item>
        )}
      />
    </Card>
  );
}
