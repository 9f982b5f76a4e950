import { memo, startTransition, useEffect, type ReactNode } from 'react';
import { Card, Form, type FormInstance } from 'antd';
import { RECORD_REFUSAL_PREFIX, type ApplicationForm } from '../../../../core';
import type { ApplicationDetail } from '../../types';
import { DEEDS, DeedsCards, MEDIA, MediaCards, useStagedReveal, type FilesProps } from './EditorSections';
import { EligibilitySection } from './EligibilitySection';
import { FieldsDisabled } from './FieldControl';
import { PERSONAL_CELLS, PERSONAL_RUN, PersonalInfoTable } from './PersonalInfoTable';

/**
 * The form is drawn in steps, a task each (useStagedReveal): first the first cells of 个人信息 (with the page's
 * title), then the other cells a few at a time, each text of 主要事迹…, 照片, 视频, and 资格条件. On a phone no step
 * blocks the main thread for long, and the title (the largest paint) shows as soon as the 申请书 arrives.
 */
const PERSONAL_STEPS = Math.ceil(PERSONAL_CELLS / PERSONAL_RUN);
const STEPS = PERSONAL_STEPS + DEEDS.length + MEDIA.length + 1;

/** What step n shows of each part. */
function stepParts(n: number) {
  const clamp = (v: number, max: number) => Math.max(0, Math.min(v, max));
  const afterPersonal = n - PERSONAL_STEPS;
  return {
    personal: Math.min(n, PERSONAL_STEPS) * PERSONAL_RUN,
    deeds: clamp(afterPersonal, DEEDS.length),
    media: clamp(afterPersonal - DEEDS.length, MEDIA.length),
    eligibility: n >= STEPS,
  };
}

/** What the sections are given: their files and what may be done with them. */
export type EditorFiles = Omit<FilesProps, 'shown'>;

interface Props {
  form: FormInstance;
  detail: ApplicationDetail;
  editable: boolean;
  onValuesChange: (changed: Partial<ApplicationForm>, all: ApplicationForm) => void;
  /** the same object while nothing the sections show changes */
  files: EditorFiles;
  /** the 附件材料 cell of 个人信息 */
  attachmentsLink: ReactNode;
  /** called once every part is drawn (the page then draws 承诺, 附件材料 and the nav) */
  onAllShown: (applicationId: string) => void;
}

/**
 * The 申请书's form: 个人信息, 主要事迹…, 照片, 视频 and 资格条件. Memoized, and the steps are counted inside it
 * (StagedSections): Ant Design's Form gives its children contexts that are new at each of its renders (antd
 * 6.6), which would draw every field again. So the Form is drawn again only when the 申请书 itself changes (saved,
 * a file added), not at each step, nor at each keystroke in the page's header.
 */
export const EditorForm = memo(function EditorForm({ form, detail, editable, onValuesChange, files, attachmentsLink, onAllShown }: Props) {
  return (
    <Form form={form} key={detail.id} initialValues={detail.form} name="application" disabled={!editable} onValuesChange={onValuesChange} scrollToFirstError>
      <FieldsDisabled value={!editable}>
        <StagedSections
          applicationId={detail.id}
          number={detail.number}
          unitName={detail.unitName}
          form={form}
          files={files}
          attachmentsLink={attachmentsLink}
          onAllShown={onAllShown}
          recordRefused={detail.eligibility.refused.filter((r) => r.startsWith(RECORD_REFUSAL_PREFIX))}
        />
      </FieldsDisabled>
    </Form>
  );
});

function StagedSections({
  applicationId,
  number,
  unitName,
  form,
  files,
  attachmentsLink,
  onAllShown,
  recordRefused,
}: {
  applicationId: string;
  number: string;
  unitName: string | null;
  form: FormInstance;
  files: EditorFiles;
  attachmentsLink: ReactNode;
  onAllShown: (applicationId: string) => void;
  /** 往年获评 found in the platform's records (the server's eligibility) */
  recordRefused: readonly string[];
}) {
  const shown = stepParts(useStagedReveal(STEPS, applicationId));
  const done = shown.eligibility;
  useEffect(() => {
    if (!done) return;
    const timer = window.setTimeout(() => startTransition(() => onAllShown(applicationId)), 0);
    return () => window.clearTimeout(timer);
  }, [done, applicationId, onAllShown]);
  return (
    <>
      <Card id="sec-personal" title="个人信息" className="editor-section">
        <PersonalInfoTable number={number} unitName={unitName} attachments={attachmentsLink} shown={shown.personal} />
      </Card>
      {shown.deeds > 0 && <DeedsCards {...files} shown={shown.deeds} />}
      {shown.media > 0 && <MediaCards {...files} shown={shown.media} />}
      {shown.eligibility && (
        <Card id="sec-eligibility" title="资格条件" className="editor-section">
          <WatchedEligibility form={form} recordRefused={recordRefused} />
        </Card>
      )}
    </>
  );
}

/** 资格条件, checked live from the form's values (all of them, drawn or not). */
function WatchedEligibility({ form, recordRefused }: { form: FormInstance; recordRefused: readonly string[] }) {
  const values = Form.useWatch((all: ApplicationForm) => all, { form, preserve: true }) as ApplicationForm | undefined;
  return <EligibilitySection values={values ?? {}} recordRefused={recordRefused} />;
}
