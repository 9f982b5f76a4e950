import type { ReactNode } from 'react';
import { Alert, Card, Col, Grid, Row, Tag, Typography } from 'antd';
import { APPLICATION_FIELDS } from '../../../../core';
import type { ApplicationDetail, ChangesReply } from '../../types';
import { SectionNav } from '../SectionNav';
import { ChangesAlert } from './ChangesAlert';
import { ReadonlyPersonalTable, showValue } from './ReadonlyPersonalTable';

const DEEDS = APPLICATION_FIELDS.filter((f) => f.section === 'deeds');
const QUESTIONS = APPLICATION_FIELDS.filter((f) => f.section === 'eligibility');

interface Props {
  detail: ApplicationDetail;
  changes: ChangesReply | null;
  /** The 附件材料 cell's 【附件】 button. */
  attachmentsButton: ReactNode;
  /** Prefix of the section ids, unique per page. */
  idPrefix?: string;
}

function ChangedTag({ on }: { on: boolean }) {
  return on ? (
    <Tag color="orange" className="changed-tag">
      已修改
    </Tag>
  ) : null;
}

/**
 * 申请书信息, read-only (manual 二.2): 个人信息, 主要事迹, 感人故事, 资格条件, with a navigation on the
 * left that jumps to each section, and what changed since a return.
 */
export function ApplicationReadView({ detail, changes, attachmentsButton, idPrefix = 'view' }: Props) {
  const screens = Grid.useBreakpoint();
  const wide = screens.md ?? true;
  const changed = new Set((changes?.changes ?? []).map((c) => (c.field.startsWith('attachment') ? 'attachment' : c.field)));
  const form = detail.form as Record<string, unknown>;
  const id = (s: string) => `${idPrefix}-${s}`;
  const sections = [{ key: 'personal', title: '个人信息' }, ...DEEDS.map((f) => ({ key: f.key, title: f.label })), { key: 'eligibility', title: '资格条件' }];
  const eligibilityChanged = QUESTIONS.some((q) => changed.has(q.key));

  return (
    <>
      {changes && <ChangesAlert changes={changes} />}
      <Row gutter={16} wrap={!wide}>
        <Col xs={24} md={5} lg={4}>
          <div className={wide ? 'editor-nav readonly-nav' : 'editor-nav-top'}>
            <SectionNav sections={sections.map((s) => ({ id: id(s.key), title: s.title }))} vertical={wide} offset={24} label="申请书目录" />
          </div>
        </Col>
        <Col xs={24} md={19} lg={20}>
          <Card id={id('personal')} title="个人信息" size="small" className="editor-section">
            <ReadonlyPersonalTable detail={detail} changed={changed} attachmentsButton={attachmentsButton} />
          </Card>
          {DEEDS.map((f) => (
            <Card
              key={f.key}
              id={id(f.key)}
              title={f.label}
              extra={<ChangedTag on={changed.has(f.key)} />}
              size="small"
              className={changed.has(f.key) ? 'editor-section section-changed' : 'editor-section'}
            >
              <Typography.Paragraph className="pre-wrap deeds-text">
                {showValue(form[f.key]) || <Typography.Text type="secondary">未填写</Typography.Text>}
              </Typography.Paragraph>
            </Card>
          ))}
          <Card id={id('eligibility')} title="资格条件" extra={<ChangedTag on={eligibilityChanged} />} size="small" className="editor-section">
            <table className="eligibility-table">
              <tbody>
                {QUESTIONS.map((q) => (
                  <tr key={q.key} className={changed.has(q.key) ? 'field-changed' : undefined}>
                    <th scope="row">{q.label}</th>
                    <td>{showValue(form[q.key]) || <Typography.Text type="secondary">未选择</Typography.Text>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {detail.eligibility.refused.length > 0 && (
              <Alert
                type="error"
                showIcon
                className="block-gap eligibility-alert"
                title="不符合评选条件"
                description={
                  <ul className="plain-list">
                    {detail.eligibility.refused.map((r) => (
                      <li key={r}>{r}</li>
                    ))}
                  </ul>
                }
              />
            )}
            {detail.eligibility.flags.length > 0 && (
              <Alert
                type="warning"
                showIcon
                className="block-gap eligibility-alert"
                title="请注意"
                description={
                  <ul className="plain-list">
                    {detail.eligibility.flags.map((r) => (
                      <li key={r}>{r}</li>
                    ))}
                  </ul>
                }
              />
            )}
            {detail.eligibility.refused.length === 0 && detail.eligibility.flags.length === 0 && <Typography.Text type="success">符合评选条件</Typography.Text>}
          </Card>
        </Col>
      </Row>
    </>
  );
}
