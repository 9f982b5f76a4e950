import { startTransition, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, App, Button, Card, Col, Form, Grid, Result, Row, Space, Typography } from 'antd';
import { Link, useNavigate, useParams } from 'react-router';
import dayjs from 'dayjs';
import { APPLICATION_FIELDS, ATTACHMENT_KINDS, parseIdNumber } from '../../../../core';
import type { ApplicationForm } from '../../../../core';
import { checkApplication, getApplication, pledgeApplication, saveApplication } from '../../client/applications';
import { originalUrl } from '../../client/attachments';
import { transition } from '../../client/workflow';
import { useAuth } from '../../auth';
import { AttachmentsModal, UnitPickerModal } from '../../components/lazyModals';
import { clearDraft, draftDiffers, draftKey, readDraft, writeDraft } from '../../components/localDraft';
import { useUnsavedGuard } from '../../components/unsavedChanges';
import { DEEDS, EXTRA_KIND, MEDIA } from '../../components/application/EditorSections';
import { EditorForm, type EditorFiles } from '../../components/application/EditorForm';
import { PledgeSection } from '../../components/application/PledgeSection';
import { SectionNav, type NavSection } from '../../components/SectionNav';
import { StatusTag } from '../../components/StatusTag';
import { EditorFirstScreen, forgetEditorHead } from '../../components/FirstScreen';
import type { AttachmentsUpdate } from '../../components/upload/ScanUpload';
import { clearErrors, showFieldErrors, useErrorReporter } from '../../formUtils';
import { formatSize, useCampaign, useLoad } from '../../hooks';
import type { ApplicationDetail, Attachment, CheckReply, UnitRef } from '../../types';

const FIELD_KEYS = new Set<string>(APPLICATION_FIELDS.map((f) => f.key));

const SCAN_KINDS = new Set<string>(ATTACHMENT_KINDS.map((k) => k.kind));

const SECTIONS: NavSection[] = [
  { id: 'sec-personal', title: '个人信息' },
  ...DEEDS.map((f) => ({
    id: `sec-${f.key}`,
    title: f.label,
    children: EXTRA_KIND[f.key] ? [{ id: `sec-${f.key}-extra`, title: '补充材料' }] : undefined,
  })),
  ...MEDIA.map((m) => ({ id: m.id, title: m.title })),
  { id: 'sec-eligibility', title: '资格条件' },
  { id: 'sec-pledge', title: '承诺' },
  { id: 'sec-attachments', title: '附件材料' },
];

/** Form values to the PUT body: every field present, blanks as null (the server drops them). */
function toBody(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of APPLICATION_FIELDS) {
    const v = values[f.key];
    out[f.key] = v === undefined || v === '' ? null : v;
  }
  return out;
}

/** Where a problem of the completeness check is fixed. */
function sectionOf(field: string): string {
  if (field === 'eligibility') return 'sec-eligibility';
  if (field === 'pledge') return 'sec-pledge';
  if (field.startsWith('attachment')) return 'sec-attachments';
  if (field === 'media.photo') return 'sec-photos';
  if (field === 'media.video') return 'sec-videos';
  const f = APPLICATION_FIELDS.find((x) => x.key === field);
  if (f?.section === 'deeds') return `sec-${f.key}`;
  if (f?.section === 'eligibility') return 'sec-eligibility';
  return 'sec-personal';
}

function scrollToSection(id: string) {
  document.getElementById(id)?.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

/** 申请书: fill in, 【保存】, 【我承诺】, 【附件】, 【提交】 (check, choose the 推荐单位, submit). */
export default function ApplicationEditPage() {
  const { id = '' } = useParams();
  const [form] = Form.useForm();
  const { message, modal } = App.useApp();
  const report = useErrorReporter();
  const { user } = useAuth();
  const screens = Grid.useBreakpoint();

  const [detail, setDetail] = useState<ApplicationDetail | null>(null);
  /** the application's own campaign: the limits the server applies to it (not the newest campaign's) */
  const { data: campaign } = useCampaign(detail?.campaignId);
  const [values, setValues] = useState<ApplicationForm>({});
  const [dirty, setDirtyState] = useState(false);
  /** the same, at once: what the guard and the local copy read */
  const dirtyRef = useRef(false);
  const setDirty = useCallback((v: boolean) => {
    dirtyRef.current = v;
    setDirtyState(v);
  }, []);
  /** what the last 【保存】 could not save: [{ field, label, message }] */
  const [notSaved, setNotSaved] = useState<NonNullable<ApplicationDetail['notSaved']>>([]);
  const [saving, setSaving] = useState(false);
  const [checking, setChecking] = useState(false);
  const [pledging, setPledging] = useState(false);
  const [check, setCheck] = useState<CheckReply | null>(null);
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const [attachmentsOpen, setAttachmentsOpen] = useState(false);
  const [pickerOpen, setPickerOpen] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const navigate = useNavigate();

  // The local copy of what is typed (localStorage, per user and application): see components/localDraft.ts.
  const localKey = user ? draftKey(user.id, id) : null;
  const localKeyRef = useRef(localKey);
  const writeTimer = useRef<number | undefined>(undefined);
  /** writes the local copy now, if there is anything unsaved */
  const flushLocal = useCallback(() => {
    window.clearTimeout(writeTimer.current);
    writeTimer.current = undefined;
    if (dirtyRef.current && localKeyRef.current) writeDraft(localKeyRef.current, toBody(form.getFieldsValue(true) as Record<string, unknown>));
  }, [form]);
  /** …and a moment after the last keystroke */
  const scheduleLocal = useCallback(() => {
    window.clearTimeout(writeTimer.current);
    writeTimer.current = window.setTimeout(flushLocal, 400);
  }, [flushLocal]);
  useEffect(() => {
    // once known, the key stays: an expired session (user null) must still write under it
    if (localKey) localKeyRef.current = localKey;
  }, [localKey]);
  useEffect(() => {
    window.addEventListener('pagehide', flushLocal);
    window.addEventListener('beforeunload', flushLocal);
    return () => {
      window.removeEventListener('pagehide', flushLocal);
      window.removeEventListener('beforeunload', flushLocal);
      flushLocal(); // leaving the page (an expired session's redirect included)
    };
  }, [flushLocal]);

  const discardLocal = useCallback(() => {
    window.clearTimeout(writeTimer.current);
    writeTimer.current = undefined;
    if (localKeyRef.current) clearDraft(localKeyRef.current);
  }, []);

  const { error: loadError } = useLoad(() => getApplication(id), [id, form, setDirty], {
    clear: true,
    onStart: () => setDetail(null),
    onLoad: (d) => {
      forgetEditorHead(d.id);
      setDirty(false);
      // a transition: React builds the long form in slices, letting input and paint through
      startTransition(() => {
        setDetail(d);
        setValues(d.form);
        setNotSaved([]);
      });
    },
  });

  // On return: a local copy that says more than the saved 申请书 is offered back.
  const offered = useRef<string | null>(null);
  useEffect(() => {
    if (!detail || !localKey || !detail.abilities.edit || offered.current === detail.id) return;
    offered.current = detail.id;
    const local = readDraft(localKey);
    if (!local) return;
    if (!draftDiffers(local.form, detail.form as Record<string, unknown>)) {
      clearDraft(localKey);
      return;
    }
    modal.confirm({
      title: '恢复未保存的修改？',
      content: `发现上次未保存的修改（${dayjs(local.at).format('YYYY-MM-DD HH:mm')}），是否恢复？`,
      okText: '恢复',
      cancelText: '放弃',
      className: 'restore-confirm',
      onOk: () => {
        form.setFieldsValue(local.form);
        setValues(form.getFieldsValue(true) as ApplicationForm);
        setDirty(true);
        setSavedAt(null);
      },
      onCancel: () => clearDraft(localKey),
    });
  }, [detail, localKey, modal, form, setDirty]);

  const editable = detail?.abilities.edit ?? false;

  // the same function for the page's life: the memoized form is not drawn again for a new one
  const onValuesChange = useCallback(
    (changed: Partial<ApplicationForm>, all: ApplicationForm) => {
      setDirty(true);
      setSavedAt(null);
      scheduleLocal();
      let next = all;
      if (typeof changed.idNumber === 'string') {
        const parsed = parseIdNumber(changed.idNumber);
        if (parsed.ok) {
          const fill: Partial<ApplicationForm> = {};
          if (!all.birthDate) fill.birthDate = parsed.birthDate;
          if (!all.gender) fill.gender = parsed.gender;
          if (Object.keys(fill).length) {
            form.setFieldsValue(fill);
            next = { ...all, ...fill };
          }
        }
      }
      setValues(next);
    },
    [form, setDirty, scheduleLocal],
  );

  /**
   * 【保存】: PUT every field; the server saves what is well-formed and names in `notSaved` what it did not
   * save and why. Those entries stay on screen, marked, and in the local copy, for the user to fix.
   * true only when everything was saved.
   */
  const save = useCallback(async (): Promise<boolean> => {
    const raw = form.getFieldsValue(true) as Record<string, unknown>;
    setSaving(true);
    try {
      const saved = await saveApplication(id, { form: toBody(raw) });
      const { notSaved: refused = [], ...rest } = saved;
      setDetail(rest);
      setNotSaved(refused);
      if (refused.length) {
        // still unsaved: the page stays guarded and the local copy keeps the entries
        showFieldErrors(
          form,
          refused.map((f) => ({ name: [f.field], errors: [f.message] })),
        );
        setDirty(true);
        flushLocal();
        void message.warning(`已保存，但以下${refused.length}项未保存，请按提示修改后再保存`);
        return false;
      }
      clearErrors(form);
      setDirty(false);
      discardLocal();
      setSavedAt(new Date().toISOString());
      return true;
    } catch (err) {
      report(err, form);
      return false;
    } finally {
      setSaving(false);
    }
  }, [form, id, message, report, setDirty, flushLocal, discardLocal]);

  useUnsavedGuard(dirtyRef, {
    message: '申请书有未保存的修改，离开后将丢失。是否离开？',
    save,
    onDiscard: () => {
      dirtyRef.current = false;
      discardLocal();
    },
  });

  /** POST …/transitions/submit; after a return it goes back to the same unit, so no unitId. */
  const send = async (unit: UnitRef | null) => {
    setSubmitting(true);
    try {
      const d = await transition(id, 'submit', unit ? { unitId: unit.id } : {});
      setPickerOpen(false);
      setDetail(d);
      void message.success(`申请书已提交，当前状态：${d.statusLabel}`);
      navigate('/zmkj/mine');
    } catch (err) {
      report(err);
    } finally {
      setSubmitting(false);
    }
  };

  /** 【提交】: save, check completeness, then choose the 推荐单位 (not after a return) and submit. */
  const submit = async () => {
    setCheck(null);
    if (!(await save())) return;
    setChecking(true);
    let result: CheckReply;
    try {
      result = await checkApplication(id);
    } catch (err) {
      report(err);
      return;
    } finally {
      setChecking(false);
    }
    if (result.complete) {
      if (detail?.status === 'returned_to_applicant') void send(null);
      else setPickerOpen(true);
      return;
    }
    setCheck(result);
    const fieldErrors = result.missing.filter((m) => FIELD_KEYS.has(m.field)).map((m) => ({ name: [m.field], errors: [m.message] }));
    if (fieldErrors.length) form.setFields(fieldErrors);
    window.scrollTo({ top: 0, behavior: 'smooth' });
  };

  const pledge = async () => {
    setPledging(true);
    try {
      const updated = await pledgeApplication(id);
      setDetail((d) => (d ? { ...d, pledgedAt: updated.pledgedAt, abilities: updated.abilities } : updated));
    } catch (err) {
      report(err);
    } finally {
      setPledging(false);
    }
  };

  // every change to the list is a function of the list as it is then: uploads finishing together all stay
  const onAttachmentsChanged = useCallback((change: AttachmentsUpdate) => setDetail((d) => (d ? { ...d, attachments: change(d.attachments) } : d)), []);
  const onAttachmentAdded = useCallback((a: Attachment) => onAttachmentsChanged((list) => [...list, a]), [onAttachmentsChanged]);
  const onAttachmentRemoved = useCallback(
    (attachmentId: string) => onAttachmentsChanged((list) => list.filter((a) => a.id !== attachmentId)),
    [onAttachmentsChanged],
  );

  // A shown list of what is missing follows the uploads: a photo added or a scan removed updates it at once.
  const attachmentsKey = detail?.attachments.map((a) => a.id).join(',');
  const showingMissing = !!check && !check.complete;
  useLoad(() => checkApplication(id), [attachmentsKey, id], {
    enabled: showingMissing && attachmentsKey !== undefined,
    onLoad: (fresh) => setCheck(fresh.complete ? null : fresh),
  });

  const attachmentSummary = useMemo(() => {
    const list = (detail?.attachments ?? []).filter((a) => SCAN_KINDS.has(a.kind));
    const done = ATTACHMENT_KINDS.filter((k) => list.some((a) => a.kind === k.kind)).length;
    return { list, done };
  }, [detail]);
  // the same element while the files are the same, so the memoized 个人信息 table is not redrawn on each keystroke
  const attachmentsLink = useMemo(
    () => (
      <a
        href="#sec-attachments"
        onClick={(e) => {
          e.preventDefault();
          scrollToSection('sec-attachments');
        }}
      >
        {attachmentSummary.list.length
          ? `已上传 ${attachmentSummary.done}/${ATTACHMENT_KINDS.length} 类，共 ${attachmentSummary.list.length} 个文件`
          : '尚未上传，请在下方附件材料中上传'}
      </a>
    ),
    [attachmentSummary],
  );

  // 承诺, 附件材料 and the nav come after the form's parts (EditorForm says when)
  const [allShown, setAllShown] = useState<string | null>(null);
  const rest = !!detail && allShown === detail.id;
  const canUpload = !!detail && editable && detail.abilities.upload;
  const media = campaign?.settings.media;
  /** what the memoized sections are given: the same object while nothing they show changes */
  const files = useMemo<EditorFiles>(
    () => ({
      applicationId: id,
      media,
      attachments: detail?.attachments ?? [],
      editable: canUpload,
      onAdded: onAttachmentAdded,
      onRemoved: onAttachmentRemoved,
    }),
    [id, media, detail?.attachments, canUpload, onAttachmentAdded, onAttachmentRemoved],
  );

  if (loadError) {
    return <Result status="warning" title="无法打开申请书" subTitle={loadError} extra={<Link to="/zmkj/mine">返回我的申报表</Link>} />;
  }
  // the title and status of the 申请书 as soon as they are known, drawn plain (as before this page's code loaded)
  if (!detail) return <EditorFirstScreen id={id} />;

  const name = values.name || detail.applicantName || '';
  const mobile = values.mobile || '';
  const wide = screens.md ?? true;

  const header = (
    <Card className="editor-head" size="small">
      <div className="editor-head-row">
        <div className="editor-head-title">
          <Typography.Title level={2} className="no-margin page-title">
            最美科技工作者/{name}[手机: {mobile}]
          </Typography.Title>
          <Space size={4} wrap>
            <span>状态：</span>
            <StatusTag label={detail.statusLabel} status={detail.status} />
            {dirty && editable && <Typography.Text type="warning">有未保存的修改</Typography.Text>}
            {!dirty && savedAt && (
              <Typography.Text type="success" role="status">
                已保存
              </Typography.Text>
            )}
          </Space>
        </div>
        {editable && (
          <Space wrap>
            <Button onClick={() => void save()} loading={saving && !checking}>
              保存
            </Button>
            <Button type="primary" onClick={() => void submit()} loading={checking || submitting}>
              提交
            </Button>
          </Space>
        )}
      </div>
    </Card>
  );

  return (
    <div className="editor">
      {header}
      {!editable && (
        <Alert
          type="warning"
          showIcon
          className="block-gap"
          title={
            detail.abilities.withdraw
              ? `申请书当前状态为 ${detail.statusLabel}，仅当【状态】是申报人时可以编辑。在推荐单位办理前，可在【我的申报表】中点击“收回”收回申请书后继续编辑`
              : `申请书当前状态为 ${detail.statusLabel}，仅当【状态】是申报人时可以编辑，如需修改请联系相关单位负责人退回申请书至申请人`
          }
        />
      )}
      {detail.status === 'returned_to_applicant' && detail.opinions?.return && (
        <Alert
          type="warning"
          showIcon
          className="block-gap return-opinion"
          title={<span className="pre-wrap">推荐单位修改意见：{detail.opinions.return}</span>}
          description={`请按意见修改后点击右上角【提交】，申请书将重新提交到${detail.unitName ?? '原推荐单位'}。`}
        />
      )}
      {notSaved.length > 0 && (
        <Alert
          type="warning"
          showIcon
          className="block-gap not-saved"
          role="alert"
          title={`已保存，但以下${notSaved.length}项未保存：${notSaved.map((f) => `${f.label}（${f.message}）`).join('；')}`}
          description="其余内容已保存。请按提示修改以上各项后再点击【保存】；修改前这些内容保留在本页和本机的草稿中。"
          closable={{ onClose: () => setNotSaved([]) }}
        />
      )}
      {check && !check.complete && (
        <Alert
          type="error"
          showIcon
          className="block-gap"
          title={`申请书尚未填写完整，请完善以下${check.missing.length}项后再提交：`}
          closable={{ onClose: () => setCheck(null) }}
          description={
            <ol className="missing-list">
              {check.missing.map((m, i) => (
                <li key={`${m.field}-${i}`}>
                  <a
                    href={`#${sectionOf(m.field)}`}
                    onClick={(e) => {
                      e.preventDefault();
                      if (FIELD_KEYS.has(m.field)) form.scrollToField(m.field, { block: 'center' });
                      else scrollToSection(sectionOf(m.field));
                    }}
                  >
                    {m.label}
                  </a>
                  ：{m.message}
                </li>
              ))}
            </ol>
          }
        />
      )}
      <Row gutter={16} wrap={!wide}>
        <Col xs={24} md={5} lg={4}>
          <div className={wide ? 'editor-nav' : 'editor-nav-top'}>
            {rest && <SectionNav sections={SECTIONS} vertical={wide} offset={80} label="申请书目录" />}
          </div>
        </Col>
        <Col xs={24} md={19} lg={20}>
          <EditorForm
            form={form}
            detail={detail}
            editable={editable}
            onValuesChange={onValuesChange}
            files={files}
            attachmentsLink={attachmentsLink}
            onAllShown={setAllShown}
          />
          {rest && (
            <>
              <Card id="sec-pledge" title="承诺" className="editor-section">
                <PledgeSection
                  regulations={campaign?.settings.regulations ?? null}
                  pledgedAt={detail.pledgedAt}
                  canPledge={editable && detail.abilities.pledge}
                  pledging={pledging}
                  onPledge={() => void pledge()}
                />
              </Card>
              <Card id="sec-attachments" title="附件材料" className="editor-section">
                <Typography.Paragraph type="secondary">
                  承诺后点击下方按钮，在弹出界面中上传个人诚信承诺、所在单位意见的相关佐证文件，以及个人政审材料（指申报人所在单位的纪检监察部门开具的政审材料，没有具体单位的可在所在辖区派出所开具无犯罪证明进行扫描或拍照后上传）。
                </Typography.Paragraph>
                <ul className="attachment-summary">
                  {ATTACHMENT_KINDS.map((k) => {
                    const files = attachmentSummary.list.filter((a) => a.kind === k.kind);
                    return (
                      <li key={k.kind}>
                        <span className="attachment-summary-label">{k.label}：</span>
                        {files.length ? (
                          files.map((a) => (
                            <span key={a.id} className="attachment-summary-file">
                              <a href={originalUrl(a.id)}>{a.name}</a>（{formatSize(a.size)}）
                            </span>
                          ))
                        ) : (
                          <Typography.Text type="secondary">未上传</Typography.Text>
                        )}
                      </li>
                    );
                  })}
                </ul>
                <Button type="primary" ghost onClick={() => setAttachmentsOpen(true)}>
                  附件
                </Button>
              </Card>
            </>
          )}
        </Col>
      </Row>
      <UnitPickerModal open={pickerOpen} submitting={submitting} onCancel={() => setPickerOpen(false)} onSubmit={(unit) => void send(unit)} />
      <AttachmentsModal
        applicationId={id}
        open={attachmentsOpen}
        onClose={() => setAttachmentsOpen(false)}
        onChanged={onAttachmentsChanged}
        maxBytes={campaign?.settings.media.scanMaxBytes}
      />
    </div>
  );
}
