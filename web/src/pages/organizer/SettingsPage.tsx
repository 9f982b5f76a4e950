import { useRef, useState } from 'react';
import { Alert, App, Button, Card, Col, DatePicker, Divider, Form, Input, InputNumber, Row, Select, Space, Spin, Switch, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { campaignSettingsSchema, campaignTitleSchema, WINDOW_KEYS, WINDOW_LABELS } from '../../../../core';
import type { CampaignSettings, WindowKey } from '../../../../core';
import { CRITERION_KIND_LABELS, RANK_FIGURE_LABELS, RANK_FIGURES } from '../../../../core/review';
// the types alone, not core/selection's index (which brings the solver)
import { ATTRIBUTE_LABELS, FLAG_ATTRIBUTES, SELECTION_ATTRIBUTES, type SelectionAttribute } from '../../../../core/selection/types';
import { getAdminCampaign, saveAdminCampaign } from '../../client/admin';
import { useUnsavedGuard } from '../../components/unsavedChanges';
import { currentCampaign } from '../../client/campaigns';
import { showFieldErrors, useErrorReporter, validateWith } from '../../formUtils';
import type { FieldErrorData, FieldPath } from '../../formUtils';
import { useLoader } from '../../hooks';
import type { Campaign } from '../../types';

/**
 * The form's columns, made once: Ant Design's Form gives them to every Form.Item through a context, so a new
 * object at each render would draw every field again (each keystroke, each step of the page).
 */
const LABEL_COL = { flex: '200px' };
const WRAPPER_COL = { flex: '1 1 0' };

const MiB = 1024 * 1024;
const DATE = 'YYYY-MM-DD';

type Media = CampaignSettings['media'];
const BYTE_KEYS = ['photoMinBytes', 'photoMaxBytes', 'videoMaxBytes', 'scanMaxBytes'] as const;

interface FormValues {
  title: string;
  windows: Record<WindowKey, [Dayjs, Dayjs] | null>;
  publishDate: Dayjs | null;
  unitQuota: number | null;
  /** 初评须公示 (settings.preliminary.requirePublicity) */
  requirePublicity: boolean;
  winners: number | null;
  nationalRecommendees: number | null;
  /** Percent in the form, ratio 0–1 in the settings. */
  academicianMaxRatio: number | null;
  youthMinRatio: number | null;
  youthAgeLimit: number | null;
  ageReferenceDate: Dayjs | null;
  /** Sizes in MB in the form, bytes in the settings. */
  media: Record<keyof Media, number | null>;
  /** 网上评选: the 评分标准 (locked by the server once a sheet is saved), k, L, 催办 hours, the ranking figure */
  review: CampaignSettings['review'];
  /** 集中评选 and the final selection (入围名单 size, pass share, constraints): kept as loaded, saved back unchanged */
  selection: CampaignSettings['selection'];
  regulations: string;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const day = (s: string) => dayjs(s, DATE);

function toForm(c: Campaign): FormValues {
  const s = c.settings;
  const media = { ...s.media } as Record<keyof Media, number | null>;
  for (const k of BYTE_KEYS) media[k] = round2(s.media[k] / MiB);
  return {
    title: c.title,
    windows: Object.fromEntries(WINDOW_KEYS.map((k) => [k, [day(s.windows[k].start), day(s.windows[k].end)]])) as FormValues['windows'],
    publishDate: day(s.publishDate),
    unitQuota: s.unitQuota,
    requirePublicity: s.preliminary.requirePublicity,
    winners: s.winners,
    nationalRecommendees: s.nationalRecommendees,
    academicianMaxRatio: round2(s.academicianMaxRatio * 100),
    youthMinRatio: round2(s.youthMinRatio * 100),
    youthAgeLimit: s.youthAgeLimit,
    ageReferenceDate: day(s.ageReferenceDate),
    media,
    review: structuredClone(s.review),
    selection: {
      ...structuredClone(s.selection),
      passShare: round2(s.selection.passShare * 100),
      constraints: s.selection.constraints.map((c) => ({ ...c, bound: c.measure === 'share' ? round2(c.bound * 100) : c.bound })),
    },
    regulations: s.regulations,
  };
}

/** Form values → settings as the schema expects; blanks stay undefined so the schema names them. */
function fromForm(v: FormValues): unknown {
  const num = (n: number | null | undefined) => (typeof n === 'number' ? n : undefined);
  const date = (d: Dayjs | null | undefined) => (d ? d.format(DATE) : undefined);
  const media: Record<string, number | undefined> = {};
  for (const [k, n] of Object.entries(v.media ?? {})) {
    media[k] = (BYTE_KEYS as readonly string[]).includes(k) && typeof n === 'number' ? Math.round(n * MiB) : num(n);
  }
  return {
    windows: Object.fromEntries(
      WINDOW_KEYS.map((k) => {
        const w = v.windows?.[k];
        return [k, w ? { start: date(w[0]), end: date(w[1]) } : undefined];
      }),
    ),
    publishDate: date(v.publishDate),
    unitQuota: num(v.unitQuota),
    preliminary: { requirePublicity: v.requirePublicity === true },
    winners: num(v.winners),
    nationalRecommendees: num(v.nationalRecommendees),
    academicianMaxRatio: typeof v.academicianMaxRatio === 'number' ? v.academicianMaxRatio / 100 : undefined,
    youthMinRatio: typeof v.youthMinRatio === 'number' ? v.youthMinRatio / 100 : undefined,
    youthAgeLimit: num(v.youthAgeLimit),
    ageReferenceDate: date(v.ageReferenceDate),
    media,
    review: v.review,
    selection: v.selection && {
      ...v.selection,
      passShare: typeof v.selection.passShare === 'number' ? v.selection.passShare / 100 : undefined,
      constraints: (v.selection.constraints ?? []).map((c) => {
        const flag = (FLAG_ATTRIBUTES as readonly string[]).includes(c.attribute);
        const value = flag ? undefined : c.value?.trim() || undefined;
        return {
          id: c.id,
          attribute: c.attribute,
          ...(value ? { value } : {}),
          ...(!flag && !value ? { each: true } : {}),
          op: c.op,
          measure: c.measure,
          bound: typeof c.bound === 'number' ? (c.measure === 'share' ? c.bound / 100 : c.bound) : undefined,
          of: c.of,
          ...(c.label?.trim() ? { label: c.label.trim() } : {}),
        };
      }),
    },
    regulations: v.regulations,
  };
}

/** Schema paths → form names: windows.apply.end → windows.apply; settings.x → x. */
function toFormPath(p: FieldPath): FieldPath {
  const path = p[0] === 'settings' ? p.slice(1) : p;
  if (path[0] === 'windows') return path.slice(0, 2);
  return path;
}

/** Percent and MB fields show the unit; the schema's message speaks of ratios and bytes. */
function friendlier(fields: FieldErrorData[]): FieldErrorData[] {
  return fields.map((f) => {
    const key = f.name[f.name.length - 1];
    if (key === 'academicianMaxRatio' || key === 'youthMinRatio') return { ...f, errors: ['请填写0至100之间的百分比'] };
    if (typeof key === 'string' && (BYTE_KEYS as readonly string[]).includes(key)) {
      return { ...f, errors: f.errors.map((e) => e.replace('字节数', '大小（MB）').replace('应为不小于1的整数', '应大于0')) };
    }
    return f;
  });
}

const pct = { min: 0, max: 100, precision: 2, suffix: '%', className: 'num-input' };
const mb = { min: 0.01, precision: 2, suffix: 'MB', className: 'num-input' };
const int = (suffix?: string) => ({ min: 0, precision: 0, suffix, className: 'num-input' });

/** 评选活动设置: stage windows, quotas, media rules and the regulations read before 【我承诺】. */
export default function SettingsPage() {
  const [form] = Form.useForm<FormValues>();
  const { message } = App.useApp();
  const report = useErrorReporter();
  const [saving, setSaving] = useState(false);
  const ageLimit = Form.useWatch('youthAgeLimit', form);
  // unsaved input: set by the user's own changes (not by loading), cleared by a successful 保存
  const dirtyRef = useRef(false);
  const [dirty, setDirty] = useState(false);
  const markDirty = (v: boolean) => {
    dirtyRef.current = v;
    setDirty(v);
  };

  const {
    data: campaign,
    setData: setCampaign,
    error: loadError,
  } = useLoader(async () => getAdminCampaign((await currentCampaign()).id), [form], {
    onLoad: (full) => form.setFieldsValue(toForm(full)),
  });

  const save = async (): Promise<boolean> => {
    if (!campaign) return false;
    const values = form.getFieldsValue(true) as FormValues;
    const checked = validateWith(campaignSettingsSchema, fromForm(values), toFormPath);
    const fields = checked.ok ? [] : friendlier(checked.fields);
    const title = (values.title ?? '').trim();
    // the server's rule for 活动名称 (core campaignTitleSchema: 4 to 100 characters), with its messages
    const titleChecked = campaignTitleSchema.safeParse(title);
    if (!title) fields.unshift({ name: ['title'], errors: ['请填写活动名称'] });
    else if (!titleChecked.success) fields.unshift({ name: ['title'], errors: [titleChecked.error.issues[0]?.message ?? '活动名称不正确'] });
    if (!checked.ok || fields.length) {
      showFieldErrors(form, fields);
      // the 评分标准's items have no message line of their own: their problems are named here
      const rubric = fields.filter((f) => f.name[0] === 'review' && f.name[1] === 'rubric').flatMap((f) => f.errors);
      const rules = fields.filter((f) => f.name[0] === 'selection' && f.name[1] === 'constraints').flatMap((f) => f.errors);
      void message.error(
        rubric.length
          ? `评分标准有误：${[...new Set(rubric)].join('；')}`
          : rules.length
            ? `附加约束有误：${[...new Set(rules)].join('；')}`
            : '设置有误，请按提示修改后再保存',
      );
      return false;
    }
    setSaving(true);
    try {
      const saved = await saveAdminCampaign(campaign.id, { title, settings: checked.data });
      setCampaign(saved);
      form.setFieldsValue(toForm(saved));
      markDirty(false);
      void message.success('评选活动设置已保存');
      return true;
    } catch (err) {
      report(err, form, toFormPath);
      return false;
    } finally {
      setSaving(false);
    }
  };
  useUnsavedGuard(dirtyRef, { message: '评选活动设置有未保存的修改，离开后将丢失。是否离开？', save });

  if (loadError) return <Alert type="error" showIcon title={`无法加载评选活动设置：${loadError}`} />;

  return (
    <Card
      title="评选活动设置"
      extra={
        <Space>
          {dirty && <Typography.Text type="warning">有未保存的修改</Typography.Text>}
          <Button type="primary" onClick={() => void save()} loading={saving} disabled={!campaign}>
            保存
          </Button>
        </Space>
      }
    >
      <Spin spinning={!campaign}>
        <Form
          form={form}
          name="settings"
          layout="horizontal"
          labelCol={LABEL_COL}
          wrapperCol={WRAPPER_COL}
          labelWrap
          className="settings-form"
          onValuesChange={() => !dirtyRef.current && markDirty(true)}
        >
          <Form.Item label="活动名称" name="title" required>
            <Input maxLength={100} />
          </Form.Item>

          <Divider titlePlacement="start">评选阶段时间</Divider>
          {WINDOW_KEYS.map((k) => (
            <Form.Item key={k} label={WINDOW_LABELS[k]} name={['windows', k]} required>
              <DatePicker.RangePicker format={DATE} placeholder={['开始日期', '结束日期']} />
            </Form.Item>
          ))}
          <Form.Item label="发布日期" name="publishDate" required>
            <DatePicker format={DATE} />
          </Form.Item>

          <Divider titlePlacement="start">名额与比例</Divider>
          <Row gutter={16}>
            <Col xs={24} lg={12}>
              <Form.Item label="每个推荐单位推荐名额" name="unitQuota" required>
                <InputNumber {...int('名')} />
              </Form.Item>
              <Form.Item
                label="初评须公示"
                name="requirePublicity"
                valuePropName="checked"
                extra="开启后，推荐单位须待初评公示期满且无异议，方可将候选人提交至自治区科协"
              >
                <Switch checkedChildren="是" unCheckedChildren="否" />
              </Form.Item>
              <Form.Item label="评选人数" name="winners" required>
                <InputNumber {...int('位')} />
              </Form.Item>
              <Form.Item label="全国推荐人选数" name="nationalRecommendees" required>
                <InputNumber {...int('位')} />
              </Form.Item>
            </Col>
            <Col xs={24} lg={12}>
              <Form.Item label="院士比例上限" name="academicianMaxRatio" required>
                <InputNumber {...pct} />
              </Form.Item>
              <Form.Item label={`${typeof ageLimit === 'number' ? ageLimit : 45}岁以下比例下限`} name="youthMinRatio" required>
                <InputNumber {...pct} />
              </Form.Item>
              <Form.Item label="青年年龄线" name="youthAgeLimit" required>
                <InputNumber {...int('岁')} />
              </Form.Item>
              <Form.Item label="年龄计算基准日" name="ageReferenceDate" required>
                <DatePicker format={DATE} />
              </Form.Item>
            </Col>
          </Row>

          <Divider titlePlacement="start">材料要求</Divider>
          <Row gutter={16}>
            <Col xs={24} lg={12}>
              <Form.Item label="照片最小大小" name={['media', 'photoMinBytes']} required>
                <InputNumber {...mb} />
              </Form.Item>
              <Form.Item label="照片最大大小" name={['media', 'photoMaxBytes']} required>
                <InputNumber {...mb} />
              </Form.Item>
              <Form.Item label="照片最少张数" name={['media', 'photoMinCount']} required>
                <InputNumber {...int('张')} />
              </Form.Item>
              <Form.Item label="照片最多张数" name={['media', 'photoMaxCount']} required>
                <InputNumber {...int('张')} />
              </Form.Item>
            </Col>
            <Col xs={24} lg={12}>
              <Form.Item label="视频最多个数" name={['media', 'videoMaxCount']} required>
                <InputNumber {...int('个')} />
              </Form.Item>
              <Form.Item label="视频最大大小" name={['media', 'videoMaxBytes']} required>
                <InputNumber {...mb} />
              </Form.Item>
              <Form.Item label="视频最长时长" name={['media', 'videoMaxSeconds']} required>
                <InputNumber {...int('秒')} />
              </Form.Item>
              <Form.Item label="扫描件最大大小" name={['media', 'scanMaxBytes']} required>
                <InputNumber {...mb} />
              </Form.Item>
            </Col>
          </Row>

          <Divider titlePlacement="start">网上评选</Divider>
          <Row gutter={16}>
            <Col xs={24} lg={12}>
              <Form.Item label="每位候选人至少评审份数" name={['review', 'k']} required extra="均衡分配时每位候选人至少由几位专家评审">
                <InputNumber {...int('份')} />
              </Form.Item>
              <Form.Item label="每位专家最多评审份数" name={['review', 'L']} required>
                <InputNumber {...int('份')} />
              </Form.Item>
            </Col>
            <Col xs={24} lg={12}>
              <Form.Item label="截止前自动催办" name={['review', 'remindHours']} required extra="网上评选截止前多少小时自动催办未完成评审的专家；0为不自动催办">
                <InputNumber {...int('小时')} />
              </Form.Item>
              <Form.Item label="排名依据" name={['review', 'rankBy']} required>
                <Select options={RANK_FIGURES.map((f) => ({ value: f, label: RANK_FIGURE_LABELS[f] }))} />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item
            label="评分标准"
            required
            extra="打分项的满分之和应为100分；是否项不计分（如政治过硬，选“否”的候选人在排名中标注）。专家开始评分后评分标准即锁定，如需修改，须先在【网上评选管理】中重置评审。"
          >
            <Form.List name={['review', 'rubric', 'criteria']}>
              {(fields, { add, remove }) => (
                <>
                  {fields.map((field) => {
                    const kind = form.getFieldValue(['review', 'rubric', 'criteria', field.name, 'kind']) as 'gate' | 'score';
                    return (
                      <Card key={field.key} size="small" className="block-gap">
                        <Space wrap align="start">
                          <Tag>{CRITERION_KIND_LABELS[kind] ?? ''}</Tag>
                          <Form.Item name={[field.name, 'name']} noStyle>
                            <Input aria-label="评分项名称" placeholder="评分项名称" maxLength={20} style={{ width: 180 }} />
                          </Form.Item>
                          {kind === 'score' && (
                            <Form.Item name={[field.name, 'maxScore']} noStyle>
                              <InputNumber aria-label="满分" min={1} max={100} precision={0} suffix="分" className="num-input" />
                            </Form.Item>
                          )}
                          <Button type="link" danger onClick={() => remove(field.name)}>
                            删除
                          </Button>
                        </Space>
                        <Form.Item name={[field.name, 'description']} noStyle>
                          <Input.TextArea
                            aria-label="评分项说明"
                            placeholder="评分项说明"
                            autoSize={{ minRows: 1, maxRows: 4 }}
                            maxLength={1000}
                            className="section-gap"
                          />
                        </Form.Item>
                      </Card>
                    );
                  })}
                  <Space wrap>
                    <Button onClick={() => add({ key: `c${Date.now().toString(36)}`, name: '', description: '', kind: 'score', maxScore: 10 })}>
                      添加打分项
                    </Button>
                    <Button onClick={() => add({ key: `g${Date.now().toString(36)}`, name: '', description: '', kind: 'gate', maxScore: 0 })}>
                      添加是否项
                    </Button>
                  </Space>
                </>
              )}
            </Form.List>
          </Form.Item>

          <Divider titlePlacement="start">集中评选与最终评选</Divider>
          <Row gutter={16}>
            <Col xs={24} lg={12}>
              <Form.Item label="入围名单人数" name={['selection', 'shortlistSize']} required extra="从网上评选排名中取前N名；0表示评选人数的2倍">
                <InputNumber {...int('人')} />
              </Form.Item>
              <Form.Item label="通过票数比例" name={['selection', 'passShare']} required extra="赞成票须超过到会专家人数的此比例，如50%即超过半数">
                <InputNumber {...pct} />
              </Form.Item>
            </Col>
            <Col xs={24} lg={12}>
              <Form.Item label="全国推荐人选从当选人员中产生" name={['selection', 'nationalsWithinWinners']} valuePropName="checked">
                <Switch />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item
            label="附加约束"
            extra="院士比例上限与青年比例下限见上方【名额与比例】；此处可再加，如“每个推荐领域至少1人”（取值留空即每一类）、“推荐单位每个至多2人”、“性别为女至少3人”。最终评选结果页面据此实时检查，按规则推荐据此求解。"
          >
            <Form.List name={['selection', 'constraints']}>
              {(fields, { add, remove }) => (
                <>
                  {fields.map((field) => {
                    return (
                      <Card key={field.key} size="small" className="block-gap">
                        <Space wrap align="start">
                          <Form.Item name={[field.name, 'of']} noStyle>
                            <Select
                              aria-label="约束针对"
                              style={{ width: 140 }}
                              options={[
                                { value: 'winners', label: '当选名单' },
                                { value: 'nationals', label: '全国推荐名单' },
                              ]}
                            />
                          </Form.Item>
                          <Form.Item name={[field.name, 'attribute']} noStyle>
                            <Select
                              aria-label="约束属性"
                              style={{ width: 130 }}
                              options={SELECTION_ATTRIBUTES.map((a) => ({ value: a, label: a === 'youth' ? '青年（年龄线以下）' : ATTRIBUTE_LABELS[a] }))}
                              onChange={() => form.setFieldValue(['selection', 'constraints', field.name, 'value'], undefined)}
                            />
                          </Form.Item>
                          {/* 取值 only for an attribute with values: drawn again when the attribute changes */}
                          <Form.Item
                            noStyle
                            shouldUpdate={(a: FormValues, b: FormValues) =>
                              a.selection?.constraints?.[field.name]?.attribute !== b.selection?.constraints?.[field.name]?.attribute
                            }
                          >
                            {() =>
                              (FLAG_ATTRIBUTES as readonly string[]).includes(
                                form.getFieldValue(['selection', 'constraints', field.name, 'attribute']) as SelectionAttribute,
                              ) ? null : (
                                <Form.Item name={[field.name, 'value']} noStyle>
                                  <Input aria-label="约束取值" placeholder="取值（留空为每一类）" maxLength={100} style={{ width: 170 }} />
                                </Form.Item>
                              )
                            }
                          </Form.Item>
                          <Form.Item name={[field.name, 'op']} noStyle>
                            <Select
                              aria-label="至少或至多"
                              style={{ width: 90 }}
                              options={[
                                { value: 'min', label: '至少' },
                                { value: 'max', label: '至多' },
                              ]}
                            />
                          </Form.Item>
                          <Form.Item name={[field.name, 'bound']} noStyle>
                            <InputNumber aria-label="约束界限" min={0} precision={2} className="num-input" />
                          </Form.Item>
                          <Form.Item name={[field.name, 'measure']} noStyle>
                            <Select
                              aria-label="按人数或比例"
                              style={{ width: 90 }}
                              options={[
                                { value: 'count', label: '人' },
                                { value: 'share', label: '%' },
                              ]}
                            />
                          </Form.Item>
                          <Button type="link" danger onClick={() => remove(field.name)}>
                            删除
                          </Button>
                        </Space>
                      </Card>
                    );
                  })}
                  <Button onClick={() => add({ id: `r${Date.now().toString(36)}`, attribute: 'field', op: 'min', measure: 'count', bound: 1, of: 'winners' })}>
                    添加约束
                  </Button>
                </>
              )}
            </Form.List>
          </Form.Item>

          <Divider titlePlacement="start">评选条例</Divider>
          <Form.Item label="评选条例" name="regulations" required extra="申报人在【承诺】栏目中阅读此条例后点击【我承诺】">
            <Input.TextArea autoSize={{ minRows: 10, maxRows: 30 }} maxLength={20000} showCount />
          </Form.Item>
        </Form>
      </Spin>
    </Card>
  );
}
