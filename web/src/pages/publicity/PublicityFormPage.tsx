import { useMemo, useState } from 'react';
import { Alert, Button, Card, Checkbox, Form, Input, Skeleton, Space, Typography } from 'antd';
import { useNavigate, useParams } from 'react-router';
import { PUBLICITY_LIMITS, publicityInputSchema, type PublicityCandidate, type PublicityDetail } from '../../../../core';
import { correctPublicity, createPublicity, getPublicity, listPublicityCandidates } from '../../client/publicity';
import { useLoad } from '../../hooks';
import { showFieldErrors, useFormSubmit, validateWith } from '../../formUtils';

const layout = { labelCol: { flex: '140px' }, wrapperCol: { flex: '1 1 0' } };
const DEFAULT_METHOD =
  '公示期间，如对上述候选人有异议，请以实名方式通过本页面在线提出，或以书面、电话形式向联系人反映，并提供必要的证明材料和联系方式。匿名、超出期限的异议不予受理。';

interface Candidate {
  applicationId: string;
  label: string;
  note: string | null;
}

/** 发布公示 (/zmkj/publicity/new) and 更正公示 (/zmkj/publicity/:id/edit): the whole notice, the candidates with a 事迹简介 each. */
export default function PublicityFormPage() {
  const { id } = useParams();
  const navigate = useNavigate();
  const [form] = Form.useForm();
  const [candidates, setCandidates] = useState<PublicityCandidate[] | null>(null);
  const [current, setCurrent] = useState<PublicityDetail | null>(null);
  const [summaries, setSummaries] = useState<Record<string, string>>({});
  const [chosen, setChosen] = useState<string[]>([]);
  const [entryProblem, setEntryProblem] = useState<string | null>(null);
  const { submitting, run } = useFormSubmit(form, undefined);
  const { loading, error } = useLoad(async () => Promise.all([listPublicityCandidates(), id ? getPublicity(id) : Promise.resolve(null)]), [id], {
    onLoad: ([list, detail]) => {
      setCandidates(list);
      setCurrent(detail);
      if (detail) {
        form.setFieldsValue({
          title: detail.title,
          startsOn: detail.startsOn,
          endsOn: detail.endsOn,
          contactName: detail.contactName,
          contactPhone: detail.contactPhone,
          objectionMethod: detail.objectionMethod,
        });
        setChosen(detail.entries.map((e) => e.applicationId));
        setSummaries(Object.fromEntries(detail.entries.map((e) => [e.applicationId, e.summary])));
      }
    },
  });

  // the unit's 初评-passed candidates, and (更正) those already in this 公示
  const rows: Candidate[] = useMemo(() => {
    const list: Candidate[] = (candidates ?? []).map((c) => ({
      applicationId: c.applicationId,
      label: `${c.number} ${c.name}（${c.workUnit}，${c.jobTitle}，${c.field}）`,
      note: c.inPublicity && c.inPublicity !== current?.title ? `已在公示《${c.inPublicity}》中` : null,
    }));
    for (const e of current?.entries ?? []) {
      if (!list.some((c) => c.applicationId === e.applicationId)) {
        list.push({ applicationId: e.applicationId, label: `${e.number} ${e.name}（${e.workUnit}，${e.jobTitle}，${e.field}）`, note: null });
      }
    }
    return list;
  }, [candidates, current]);

  const onFinish = async (values: Record<string, unknown>) => {
    const body = {
      ...values,
      entries: chosen.map((applicationId) => ({ applicationId, summary: summaries[applicationId] ?? '' })),
    };
    const checked = validateWith(publicityInputSchema, body);
    if (!checked.ok) {
      const entries = checked.fields.filter((f) => f.name[0] === 'entries');
      setEntryProblem(entries.length ? entries.map((f) => f.errors[0]).join('；') : null);
      showFieldErrors(
        form,
        checked.fields.filter((f) => f.name[0] !== 'entries'),
      );
      return;
    }
    setEntryProblem(null);
    await run(async () => {
      try {
        const saved = id ? await correctPublicity(id, checked.data) : await createPublicity(checked.data);
        navigate(`/zmkj/publicity/${saved.id}`, { state: { saved: id ? '公示已更正' : '公示已发布' } });
      } catch (err) {
        const fields = (err as { fields?: { field: string; message: string }[] }).fields ?? [];
        const entries = fields.filter((f) => f.field.startsWith('entries'));
        if (entries.length) setEntryProblem(entries.map((f) => f.message).join('；'));
        throw err;
      }
    });
  };

  if (loading && !candidates) return <Skeleton active />;
  return (
    <Card title={id ? '更正公示' : '发布公示'}>
      {error && <Alert type="error" showIcon title={error} className="block-gap" />}
      {id && <Alert type="info" showIcon className="block-gap" title="更正后公开页面显示新的内容，原内容作为历史版本保存。" />}
      <Form
        form={form}
        name="publicity"
        {...layout}
        onFinish={onFinish}
        initialValues={{ title: '关于2023年“新疆最美科技工作者”候选人初评结果的公示', objectionMethod: DEFAULT_METHOD }}
      >
        <Form.Item label="公示标题" name="title" required>
          <Input maxLength={PUBLICITY_LIMITS.title} showCount />
        </Form.Item>
        <Form.Item label="公示开始日期" name="startsOn" required extra="公示期含首尾两日（北京时间）">
          <Input type="date" />
        </Form.Item>
        <Form.Item label="公示结束日期" name="endsOn" required extra="公示期满后方可向自治区科协提交">
          <Input type="date" />
        </Form.Item>
        <Form.Item label="联系人" name="contactName" required>
          <Input maxLength={PUBLICITY_LIMITS.contactName} />
        </Form.Item>
        <Form.Item label="联系电话" name="contactPhone" required extra="带区号的固定电话或手机号码">
          <Input maxLength={30} />
        </Form.Item>
        <Form.Item label="受理异议的方式" name="objectionMethod" required>
          <Input.TextArea rows={3} maxLength={PUBLICITY_LIMITS.objectionMethod} showCount />
        </Form.Item>
        <Form.Item label="公示的候选人" required validateStatus={entryProblem ? 'error' : undefined} help={entryProblem ?? undefined}>
          {rows.length === 0 ? (
            <Typography.Text type="secondary">暂无可公示的候选人：候选人须由本单位办理且初评结果为“通过”</Typography.Text>
          ) : (
            <Space direction="vertical" className="full-width">
              {rows.map((c) => {
                const on = chosen.includes(c.applicationId);
                return (
                  <div key={c.applicationId} className="publicity-candidate">
                    <Checkbox
                      checked={on}
                      disabled={!!c.note && !on}
                      onChange={(e) => setChosen((list) => (e.target.checked ? [...list, c.applicationId] : list.filter((x) => x !== c.applicationId)))}
                    >
                      {c.label}
                      {c.note && <Typography.Text type="secondary">（{c.note}）</Typography.Text>}
                    </Checkbox>
                    {on && (
                      <Input.TextArea
                        aria-label={`事迹简介：${c.label}`}
                        rows={2}
                        maxLength={PUBLICITY_LIMITS.summary}
                        showCount
                        placeholder="事迹简介（公开显示，不超过300字）"
                        value={summaries[c.applicationId] ?? ''}
                        onChange={(e) => setSummaries((s) => ({ ...s, [c.applicationId]: e.target.value }))}
                      />
                    )}
                  </div>
                );
              })}
            </Space>
          )}
        </Form.Item>
        <Typography.Paragraph type="secondary">
          公开页面只显示候选人的姓名、工作单位、专业技术职务、推荐领域和上面填写的事迹简介，不显示身份证号码、联系电话、电子邮箱、通讯地址、出生日期等个人信息。
        </Typography.Paragraph>
        <Form.Item wrapperCol={{ span: 24 }}>
          <Space>
            <Button type="primary" htmlType="submit" loading={submitting}>
              {id ? '保存更正' : '发布公示'}
            </Button>
            <Button onClick={() => navigate(id ? `/zmkj/publicity/${id}` : '/zmkj/publicity')}>取消</Button>
          </Space>
        </Form.Item>
      </Form>
    </Card>
  );
}
