// Reply shapes of docs/API.md.
import type { ApplicationForm, CampaignSettings, Role } from '../../core';

export interface UnitRef {
  id: string;
  name: string;
  region: string;
  type: string;
}

export interface User {
  id: string;
  username: string;
  role: Role;
  realName: string;
  mobile: string | null;
  email: string | null;
  unit: UnitRef | null;
}

export interface MeReply {
  user: User | null;
  oidc: { enabled: boolean; name: string };
}

export interface Campaign {
  id: string;
  programCode: string;
  programName: string;
  year: number;
  title: string;
  settings: CampaignSettings;
}

export interface Abilities {
  edit: boolean;
  delete: boolean;
  pledge: boolean;
  upload: boolean;
}

export interface ApplicationRow {
  id: string;
  number: string;
  applicantName: string;
  status: string;
  statusLabel: string;
  unitName: string | null;
  updatedAt: string;
  abilities: Abilities;
}

export interface Attachment {
  id: string;
  kind: string;
  kindLabel: string;
  name: string;
  size: number;
  mime: string;
  createdAt: string;
}

export interface ApplicationDetail extends ApplicationRow {
  campaignId: string;
  form: ApplicationForm;
  pledgedAt: string | null;
  attachments: Attachment[];
  eligibility: { refused: string[]; flags: string[] };
}

export interface CheckReply {
  complete: boolean;
  missing: { field: string; label: string; message: string }[];
}

export interface AdminUnit {
  id: string;
  name: string;
  type: string;
  region: string;
  contactName: string;
  contactPhone: string;
  status: string;
  statusLabel: string;
  username: string;
  createdAt: string;
  refusedReason: string | null;
}

export interface OutboxMessage {
  id: string;
  channel: 'mobile' | 'email' | string;
  recipient: string;
  subject: string;
  body: string;
  createdAt: string;
}
