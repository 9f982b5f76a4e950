import { useState } from 'react';
import { Alert, App, Button, Card, Grid, Space } from 'antd';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { errorMessage } from '../../api';
import { useAuth } from '../../auth';
import { HandleTabs } from '../../components/workflow/HandleTabs';
import { OpinionPanel } from '../../components/workflow/OpinionPanel';
import {
  PreliminaryPanel,
  preliminaryDraftOf,
  preliminaryProblem,
  preliminaryUnsaved,
  type PreliminaryDraft,
} from '../../components/workflow/PreliminaryPanel';
import { UnitScansUpload } from '../../components/workflow/UnitScansUpload';
import { useCampaign } from '../../hooks';
import type { AttachmentsUpdate } from '../../components/upload/ScanUpload';
import { saveOpinion, savePreliminary, transition, type OpinionKind } from '../../client/workflow';
import { OpenedApplicationPending, OpenedApplicationReadView, OpenedApplicationTitle, OpenedApplicationViewer } from './OpenedApplication';
import { useOpenedApplication } from './useOpenedApplication';

type Busy = null | 'forward' | 'return' | 'accept' | 'save-preliminary' | `save-${OpinionKind}`;

const LIST = '/zmkj/pending';

/**
 * 办理 (manual 二.2–7): tabs 申请书信息, 修改意见, 推荐单位意见 at the top left, 【返回】【提交】【退回】 at the
 * top right. The 推荐单位意见 tab holds the unit's 初评 (【保存初评】, its own button), the opinion and its three scans.
 * For 自治区科协 the second tab is its 退回意见, the unit's 初评 and opinion are read-only, and 【受理】 stands beside
 * 【退回】 (形式审查).
 */
export default function HandlePage() {
  const { id = '' } = useParams();
  const { user } = useAuth();
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const location = useLocation();
  const screens = Grid.useBreakpoint();
  const wide = screens.md ?? true;
  const isOrg = user?.role === 'organizer';
  const from = (location.state as { from?: string } | null)?.from ?? LIST;

  const [tab, setTab] = useState('info');
  const [viewerOpen, setViewerOpen] = useState(false);
  const [busy, setBusy] = useState<Busy>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [drafts, setDrafts] = useState<Record<OpinionKind, string>>({ return: '', recommend: '', org: '' });
  const [preliminary, setPreliminary] = useState<PreliminaryDraft>(preliminaryDraftOf(null));
  const [preliminaryError, setPreliminaryError] = useState<string | null>(null);
  // 办理 records 已阅: from now on the sender can no longer 收回.
  const { detail, setDetail, loadError, changes } = useOpenedApplication(id, (d) => {
    setDrafts({ return: d.opinions.return ?? '', recommend: d.opinions.recommend ?? '', org: d.opinions.org ?? '' });
    setPreliminary(preliminaryDraftOf(d.preliminary));
  });
  /** the application's own campaign: the 推荐报告扫描件's size limit the server applies to it */
  const { data: campaign } = useCampaign(detail?.campaignId);

  if (loadError || !detail) {
    return <OpenedApplicationPending loadError={loadError} back={<Link to={LIST}>返回待审核申报表</Link>} />;
  }

  const a = detail.abilities;
  const canForward = !isOrg && a.forward;
  const canReturn = isOrg ? a.orgReturn : a.return;
  const returnKind: OpinionKind = isOrg ? 'org' : 'return';
  const unsaved = (kind: OpinionKind) => drafts[kind].trim() !== (detail.opinions[kind] ?? '').trim();

  const save = async (kind: OpinionKind) => {
    setBusy(`save-${kind}`);
    try {
      const d = await saveOpinion(id, kind, drafts[kind]);
      setDetail(d);
      setRefusal(null);
      void message.success(kind === 'recommend' ? '推荐单位意见已保存' : kind === 'org' ? '退回意见已保存' : '修改意见已保存');
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  const savePreliminaryDraft = async () => {
    const problem = preliminaryProblem(preliminary);
    setPreliminaryError(problem);
    if (problem || !preliminary.result) return;
    setBusy('save-preliminary');
    try {
      const d = await savePreliminary(id, { result: preliminary.result, reason: preliminary.reason.trim() || null });
      setDetail(d);
      setPreliminary(preliminaryDraftOf(d.preliminary));
      setRefusal(null);
      void message.success(`初评已保存：${d.preliminary?.resultLabel ?? ''}`);
    } catch (err) {
      const text = errorMessage(err);
      setPreliminaryError(text);
      void message.error(text);
    } finally {
      setBusy(null);
    }
  };

  const accept = async () => {
    setBusy('accept');
    try {
      const d = await transition(id, 'accept');
      void message.success(`已受理，当前状态：${d.statusLabel}`);
      navigate(LIST);
    } catch (err) {
      const text = errorMessage(err);
      setRefusal(text);
      void message.error({ content: text, duration: 8 });
    } finally {
      setBusy(null);
    }
  };

  const act = async (kind: 'forward' | 'return') => {
    if (kind === 'forward' && preliminaryUnsaved(preliminary, detail.preliminary)) {
      const text = '【初评】尚未保存，请先点击【保存初评】，再点击【提交】';
      setRefusal(text);
      setTab('recommend');
      void message.warning(text);
      return;
    }
    const opinion: OpinionKind = kind === 'forward' ? 'recommend' : returnKind;
    const tabLabel = kind === 'forward' ? '推荐单位意见' : isOrg ? '退回意见' : '修改意见';
    if (unsaved(opinion)) {
      const text = `【${tabLabel}】尚未保存，请先点击【保存】，再点击【${kind === 'forward' ? '提交' : '退回'}】`;
      setRefusal(text);
      setTab(opinion);
      void message.warning(text);
      return;
    }
    setBusy(kind);
    try {
      const d = await transition(id, kind === 'forward' ? 'forward' : isOrg ? 'org-return' : 'return');
      void message.success(kind === 'forward' ? '申请书已提交到自治区科协' : `申请书已退回，当前状态：${d.statusLabel}`);
      navigate(LIST);
    } catch (err) {
      const text = errorMessage(err);
      setRefusal(text);
      void message.error({ content: text, duration: 8 });
    } finally {
      setBusy(null);
    }
  };

  const onAttachments = (change: AttachmentsUpdate) => setDetail((d) => (d ? { ...d, attachments: change(d.attachments) } : d));

  const buttons = (
    <Space wrap className="handle-buttons">
      <Button onClick={() => navigate(from)}>返回</Button>
      {canForward && (
        <Button type="primary" loading={busy === 'forward'} disabled={busy !== null} onClick={() => void act('forward')}>
          提交
        </Button>
      )}
      {isOrg && a.accept && (
        <Button
          type="primary"
          loading={busy === 'accept'}
          disabled={busy !== null}
          onClick={() =>
            void modal.confirm({
              title: '确定受理该申请书吗？',
              content: '受理后申请书进入评选，推荐单位不能再收回。',
              okText: '确定',
              cancelText: '取消',
              onOk: () => accept(),
            })
          }
        >
          受理
        </Button>
      )}
      {canReturn && (
        <Button danger loading={busy === 'return'} disabled={busy !== null} onClick={() => void act('return')}>
          退回
        </Button>
      )}
    </Space>
  );

  const report = (
    <UnitScansUpload
      applicationId={id}
      attachments={detail.attachments}
      canUpload={!isOrg && a.unitUpload}
      maxBytes={campaign?.settings.media.scanMaxBytes}
      onChanged={onAttachments}
    />
  );

  const items = [
    {
      key: 'info',
      label: '申请书信息',
      children: <OpenedApplicationReadView detail={detail} changes={changes} idPrefix="handle" onAttachments={() => setViewerOpen(true)} />,
    },
    isOrg
      ? {
          key: 'org',
          label: '退回意见',
          children: (
            <OpinionPanel
              name="orgOpinion"
              label="退回意见"
              help="需要推荐单位修改或补充的，请填写退回意见，点击【保存】后，再点击右上角【退回】按钮，即可将申请书退回到推荐单位。"
              saved={detail.opinions.org}
              draft={drafts.org}
              onDraft={(t) => setDrafts((d) => ({ ...d, org: t }))}
              canEdit={a.orgOpinion}
              saving={busy === 'save-org'}
              onSave={() => void save('org')}
            />
          ),
        }
      : {
          key: 'return',
          label: '修改意见',
          children: (
            <OpinionPanel
              name="returnOpinion"
              label="修改意见"
              help="对申请书填写内容有修改意见需反馈给申报人时，在下方文本框中写入意见，点击【保存】按钮后，再点击右上角【退回】按钮，即可将申请书退回到申报人处。"
              saved={detail.opinions.return}
              draft={drafts.return}
              onDraft={(t) => setDrafts((d) => ({ ...d, return: t }))}
              canEdit={a.unitOpinion}
              saving={busy === 'save-return'}
              onSave={() => void save('return')}
            />
          ),
        },
    {
      key: 'recommend',
      label: '推荐单位意见',
      children: (
        <>
          <PreliminaryPanel
            saved={detail.preliminary}
            draft={preliminary}
            onDraft={(d) => {
              setPreliminary(d);
              setPreliminaryError(null);
            }}
            canEdit={!isOrg && a.preliminary}
            saving={busy === 'save-preliminary'}
            problem={preliminaryError}
            onSave={() => void savePreliminaryDraft()}
          />
          <OpinionPanel
            name="recommendOpinion"
            label="推荐单位意见"
            help="对申请书填写内容无修改意见后，请填写推荐单位意见，点击【保存】按钮保存；再上传【推荐报告扫描件】及干部人事管理部门、纪检监察部门的书面意见，然后点击右上角【提交】按钮。"
            saved={detail.opinions.recommend}
            draft={drafts.recommend}
            onDraft={(t) => setDrafts((d) => ({ ...d, recommend: t }))}
            canEdit={!isOrg && a.unitOpinion}
            saving={busy === 'save-recommend'}
            onSave={() => void save('recommend')}
          >
            {report}
          </OpinionPanel>
        </>
      ),
    },
  ];

  return (
    <div className="handle-page">
      {!wide && <div className="handle-buttons-top">{buttons}</div>}
      <Card size="small" className="handle-card">
        <HandleTabs
          idPrefix="handle"
          items={items.map((i) => ({ key: i.key, label: i.label }))}
          activeKey={tab}
          onChange={setTab}
          extra={wide ? buttons : undefined}
        />
        <OpenedApplicationTitle detail={detail} />
        {refusal && <Alert type="error" showIcon className="block-gap" title={refusal} closable={{ onClose: () => setRefusal(null) }} />}
        {detail.status === 'returned_to_unit' && detail.opinions.org && !isOrg && (
          <Alert type="warning" showIcon className="block-gap" title={`自治区科协退回意见：${detail.opinions.org}`} />
        )}
        <div role="tabpanel" id="handle-panel" className="handle-panel">
          {items.find((i) => i.key === tab)?.children}
        </div>
      </Card>
      <OpenedApplicationViewer
        detail={detail}
        open={viewerOpen}
        onClose={() => setViewerOpen(false)}
        navExtra={
          !isOrg && a.unitUpload ? (
            <div className="viewer-nav-extra">
              <UnitScansUpload
                applicationId={id}
                attachments={detail.attachments}
                canUpload
                maxBytes={campaign?.settings.media.scanMaxBytes}
                onChanged={onAttachments}
                inViewer
              />
            </div>
          ) : undefined
        }
      />
    </div>
  );
}
