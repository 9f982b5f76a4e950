import { useEffect, useState } from 'react';
import { Alert, Button, Card, Descriptions, Form, Input, Result, Select, Skeleton, Tag, Typography, Upload, type UploadFile } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { Link, useParams } from 'react-router';
import { objectionInputSchema, phoneCodeRequestSchema, PUBLICITY_LIMITS, type PublicPageReply } from '../../../../core';
import { publicPage, requestPhoneCode, submitObjection } from '../../client/publicity';
import { CaptchaItem, useCaptcha } from '../../components/Captcha';
import { ResponsiveList, type ListColumn } from '../../components/ResponsiveList';
import { useLoader } from '../../hooks';
import { showFieldErrors, useErrorReporter, validateWith } from '../../formUtils';
import { PHASE_COLORS, PublicFrame, publicPhase } from './PublicFrame';

type Entry = PublicPageReply['entries'][number];

/** The public fields of a candidate, and only those (issue 13: no 身份证号码, phone, e-mail, address or birth date). */
const entryColumns: ListColumn<Entry>[] = [
  { title: '序号', dataIndex: 'position', width: 60 },
  { title: '姓名', dataIndex: 'name', width: 110 },
  { title: '工作单位', dataIndex: 'workUnit', width: 180 },
  { title: '专业技术职务', dataIndex: 'jobTitle', width: 120 },
  { title: '推荐领域', dataIndex: 'field', width: 160 },
  { title: '事迹简介', dataIndex: 'summary', render: (v: string) => <span className="pre-wrap">{v}</span> },
];

/** One 公示's public page (no login): the notice, its candidates (public fields only) and the real-name 异议 form. */
export default function PublicityPage() {
  const { id = '' } = useParams();
  const { data, loading, error } = useLoader(() => publicPage(id), [id]);
  return (
    <PublicFrame>
      {error && <Result status="404" title={error} extra={<Link to="/gongshi">返回公示公告</Link>} />}
      {loading && !data && <Skeleton active />}
      {data && data.status === 'withdrawn' && (
        <Result status="warning" title="该公示已撤回" subTitle={data.title} extra={<Link to="/gongshi">返回公示公告</Link>} />
      )}
      {data && data.status === 'published' && <Notice p={data} />}
    </PublicFrame>
  );
}

function Notice({ p }: { p: PublicPageReply }) {
  const phase = publicPhase(p);
  return (
    <>
      <Card className="block-gap">
        <h1 className="public-title public-notice-title">{p.title}</h1>
        <Typography.Paragraph className="public-notice-meta">
          发布单位：{p.publisher}，公示期：{p.startsOn} 至 {p.endsOn} <Tag color={PHASE_COLORS[phase]}>{phase}</Tag>
        </Typography.Paragraph>
        <ResponsiveList<Entry>
          rowKey="position"
          dataSource={p.entries}
          columns={entryColumns}
          pagination={false}
          scrollX={760}
          emptyText="暂无候选人"
          label="公示的候选人"
        />
        <Descriptions column={1} size="small" className="public-contact">
          <Descriptions.Item label="联系人">{p.contactName}</Descriptions.Item>
          <Descriptions.Item label="联系电话">{p.contactPhone}</Descriptions.Item>
          <Descriptions.Item label="受理异议的方式">
            <span className="pre-wrap">{p.objectionMethod}</span>
          </Descriptions.Item>
        </Descriptions>
      </Card>
      {p.open ? (
        <ObjectionForm p={p} />
      ) : (
        <Alert type="info" showIcon title={phase === '未开始' ? `公示期自${p.startsOn}开始，届时可在本页提出异议` : '公示期已结束，本页不再受理异议'} />
      )}
    </>
  );
}

const layout = { labelCol: { flex: '140px' }, wrapperCol: { flex: '1 1 0' } };
const ACCEPT = '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png';

/** 提出异议（实名）: 姓名, 手机 checked by an SMS code (asked with the image captcha), the candidate, the content, evidence. */
function ObjectionForm({ p }: { p: PublicPageReply }) {
  const [form] = Form.useForm();
  const captcha = useCaptcha();
  const report = useErrorReporter();
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const [wait, setWait] = useState(0);
  const [sending, setSending] = useState(false);
  const [codeSent, setCodeSent] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  useEffect(() => {
    if (wait <= 0) return;
    const timer = setTimeout(() => setWait((w) => w - 1), 1000);
    return () => clearTimeout(timer);
  }, [wait]);

  const sendCode = async () => {
    const checked = validateWith(phoneCodeRequestSchema, { mobile: form.getFieldValue('mobile') ?? '', captcha: form.getFieldValue('captcha') ?? '' });
    if (!checked.ok) {
      showFieldErrors(form, checked.fields);
      return;
    }
    setSending(true);
    try {
      const reply = await requestPhoneCode(checked.data.mobile, checked.data.captcha);
      setCodeSent(reply.message);
      setWait(60);
    } catch (err) {
      report(err, form);
    } finally {
      // a captcha answers once
      form.setFieldValue('captcha', '');
      captcha.refresh();
      setSending(false);
    }
  };

  const onFinish = async (values: Record<string, unknown>) => {
    const checked = validateWith(objectionInputSchema, {
      name: values.name ?? '',
      mobile: values.mobile ?? '',
      code: values.code ?? '',
      entry: values.entry,
      content: values.content ?? '',
    });
    if (!checked.ok) {
      showFieldErrors(form, checked.fields);
      return;
    }
    setSubmitting(true);
    try {
      const reply = await submitObjection(
        p.id,
        checked.data,
        files.map((f) => f.originFileObj as File),
      );
      setDone(reply.message);
    } catch (err) {
      report(err, form);
    } finally {
      setSubmitting(false);
    }
  };

  if (done) return <Result status="success" title="异议已提交" subTitle={done} />;

  return (
    <Card title={<h2 className="public-subtitle">提出异议（实名）</h2>}>
      <Typography.Paragraph type="secondary">
        对公示的候选人有异议的，请在公示期内实名提出，并提供必要的证明材料。手机号码须通过短信验证码验证；个人信息仅用于核实与反馈，不会公开。
      </Typography.Paragraph>
      <Form form={form} name="objection" {...layout} onFinish={onFinish}>
        <Form.Item label="姓名" name="name" required>
          <Input maxLength={PUBLICITY_LIMITS.objectorName} autoComplete="name" />
        </Form.Item>
        <Form.Item label="手机" name="mobile" required>
          <Input maxLength={11} inputMode="numeric" autoComplete="tel" />
        </Form.Item>
        <CaptchaItem formName="objection" token={captcha.token} onRefresh={captcha.refresh} required />
        <Form.Item label="短信验证码" required extra={codeSent ?? '先填写手机和图片验证码，再点击【获取短信验证码】'}>
          <div className="sms-row">
            <Form.Item name="code" noStyle>
              <Input maxLength={6} inputMode="numeric" autoComplete="one-time-code" aria-label="短信验证码" id="objection_code" />
            </Form.Item>
            <Button onClick={() => void sendCode()} loading={sending} disabled={wait > 0}>
              {wait > 0 ? `${wait}秒后重新获取` : '获取短信验证码'}
            </Button>
          </div>
        </Form.Item>
        <Form.Item label="异议涉及的候选人" name="entry" required>
          <Select placeholder="请选择候选人" options={p.entries.map((e) => ({ value: e.position, label: `${e.position}. ${e.name}（${e.workUnit}）` }))} />
        </Form.Item>
        <Form.Item label="异议内容" name="content" required>
          <Input.TextArea rows={5} maxLength={PUBLICITY_LIMITS.objectionContent} showCount placeholder="请写明异议的具体事实和理由" />
        </Form.Item>
        <Form.Item
          label="证明材料"
          extra={
            fileProblem ??
            `选填，PDF、JPEG 或 PNG 格式，每个不超过 ${PUBLICITY_LIMITS.evidenceBytes / 1024 / 1024} MB，最多 ${PUBLICITY_LIMITS.evidenceFiles} 个`
          }
          validateStatus={fileProblem ? 'error' : undefined}
        >
          <Upload
            accept={ACCEPT}
            multiple
            fileList={files}
            beforeUpload={(file) => {
              if (file.size > PUBLICITY_LIMITS.evidenceBytes) {
                setFileProblem(`“${file.name}”超过 ${PUBLICITY_LIMITS.evidenceBytes / 1024 / 1024} MB，请压缩后重新选择`);
                return Upload.LIST_IGNORE;
              }
              setFileProblem(null);
              setFiles((list) =>
                list.length >= PUBLICITY_LIMITS.evidenceFiles
                  ? list
                  : [...list, { uid: file.uid, name: file.name, size: file.size, originFileObj: file, status: 'done' }],
              );
              return false;
            }}
            onRemove={(file) => setFiles((list) => list.filter((f) => f.uid !== file.uid))}
          >
            <Button icon={<UploadOutlined />} disabled={files.length >= PUBLICITY_LIMITS.evidenceFiles}>
              选择文件
            </Button>
          </Upload>
        </Form.Item>
        <Form.Item wrapperCol={{ span: 24 }}>
          <Button type="primary" htmlType="submit" loading={submitting} block>
            提交异议
          </Button>
        </Form.Item>
      </Form>
    </Card>
  );
}
