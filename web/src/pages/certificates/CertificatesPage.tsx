import { Typography } from 'antd';

/** 证书 (issue 15, 3.): the seals, every certificate, the ZIP */
export default function CertificatesPage() {
  return <Typography.Title level={1}>证书</Typography.Title>;
}
