import { Alert, Typography } from 'antd';
import { APPLICATION_FIELDS, checkEligibility, PREVIOUS_WINNER_DECLARED } from '../../../../core';
import type { ApplicationForm } from '../../../../core';
import { FieldItem } from './FieldControl';

const QUESTIONS = APPLICATION_FIELDS.filter((f) => f.section === 'eligibility');

/**
 * 资格条件 from 评选标准: yes/no questions, refusals in red and "原则上不再推荐" in orange, live. `recordRefused`: what the
 * server found in the platform's records (往年获评, issue 15), shown first and in place of the form's own answer to it.
 */
export function EligibilitySection({ values, recordRefused = [] }: { values: ApplicationForm; recordRefused?: readonly string[] }) {
  const local = checkEligibility(values);
  const flags = local.flags;
  const refused = recordRefused.length ? [...recordRefused, ...local.refused.filter((r) => r !== PREVIOUS_WINNER_DECLARED)] : local.refused;
  return (
    <>
      <Typography.Paragraph type="secondary">
        评选在新疆工作的科技工作者中开展。不包括现役军人、公务员和参照公务员法管理的党政机关现任厅局级以上行政职务者；
        往年获评“新疆最美科技工作者”人员不再推荐；已获得国家级荣誉表彰、中宣部“最美”系列称号的科技人员原则上不再推荐。
      </Typography.Paragraph>
      <div className="eligibility-list">
        {QUESTIONS.map((f) => (
          <FieldItem key={f.key} field={f} className="eligibility-item" />
        ))}
      </div>
      {refused.length > 0 && (
        <Alert
          type="error"
          showIcon
          className="block-gap"
          title="不符合评选条件"
          description={
            <ul className="plain-list">
              {refused.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          }
        />
      )}
      {flags.length > 0 && (
        <Alert
          type="warning"
          showIcon
          className="block-gap"
          title="请注意"
          description={
            <ul className="plain-list">
              {flags.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          }
        />
      )}
    </>
  );
}
