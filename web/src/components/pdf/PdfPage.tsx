import { useEffect, useState } from 'react';
import { Result, Typography } from 'antd';
import { FilePdfOutlined } from '@ant-design/icons';
import { Link, Navigate, useLocation, useParams } from 'react-router';
import { useAuth } from '../../auth';
import { PageLoading } from '../AppLayout';
import { PdfDownloadLink, PdfViewer } from './PdfViewer';
import './pdf.css';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `/pdf/:attachmentId`: a PDF attachment on a page of its own (the 附件 viewer's 在新窗口打开), drawn by
 * pdf.js like in the viewer: the whole width of the window, the file's name, 下载原件. Whoever may see the
 * attachment may see this page; the API answers 404 to anyone else.
 */
export default function PdfPage() {
  const { attachmentId = '' } = useParams();
  const { user, loading } = useAuth();
  const location = useLocation();
  const [name, setName] = useState<string | null>(null);

  useEffect(() => {
    if (!name) return;
    const before = document.title;
    document.title = `${name} - 新疆科技工作者之家`;
    return () => {
      document.title = before;
    };
  }, [name]);

  if (loading) return <PageLoading />;
  if (!user) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  if (!UUID.test(attachmentId)) {
    return <Result status="404" title="文件不存在" extra={<Link to="/">返回我的主页</Link>} />;
  }

  return (
    <main className="pdf-window">
      <header className="pdf-window-head">
        <FilePdfOutlined aria-hidden />
        <Typography.Title level={1} className="pdf-window-title" ellipsis={{ tooltip: name ?? undefined }}>
          {name ?? 'PDF 文件'}
        </Typography.Title>
        <PdfDownloadLink attachmentId={attachmentId} name={name ?? undefined} />
      </header>
      <PdfViewer attachmentId={attachmentId} name={name ?? undefined} label={name ?? 'PDF 文件'} onFileName={setName} />
    </main>
  );
}
