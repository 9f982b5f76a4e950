// The OpenAPI document of the API (GET /api/docs/json), generated from the reply schemas the routes register
// (core/replies.ts): @fastify/swagger collects the routes registered after it, and fastify-type-provider-zod turns
// their zod schemas into JSON Schema. Request bodies are not in it: the routes parse them themselves (http.ts parse);
// docs/API.md describes them.
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  abilitiesSchema,
  adminUnitSchema,
  appNotificationSchema,
  applicationDetailSchema,
  applicationRowSchema,
  attachmentViewSchema,
  campaignViewSchema,
  fieldChangeSchema,
  historyEntrySchema,
  outboxMessageSchema,
  sessionUserSchema,
  unitRefSchema,
} from '../core';

export const OPENAPI_PATH = '/api/docs/json';

/** The reply shapes the document names, under docs/API.md's names; the rest are written out where they are used. */
const COMPONENTS: Record<string, z.ZodType> = {
  User: sessionUserSchema,
  UnitRef: unitRefSchema,
  Campaign: campaignViewSchema,
  ApplicationRow: applicationRowSchema,
  ApplicationDetail: applicationDetailSchema,
  Abilities: abilitiesSchema,
  Attachment: attachmentViewSchema,
  HistoryEntry: historyEntrySchema,
  FieldChange: fieldChangeSchema,
  Notification: appNotificationSchema,
  AdminUnit: adminUnitSchema,
  OutboxMessage: outboxMessageSchema,
};

/** Registers @fastify/swagger (before the routes, whose registration it watches) and the document's route. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  // a registry of our own, not zod's global one: core stays free of registrations (the web loads it too)
  const schemaRegistry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) schemaRegistry.add(schema, { id });
  const withComponents = createJsonSchemaTransformObject({ schemaRegistry });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: '新疆科技工作者之家 申报平台 API',
        version: '1',
        description: 'Replies carry exactly the fields of their schemas here. Bodies, rules and errors: docs/API.md.',
      },
    },
    transform: createJsonSchemaTransform({ schemaRegistry }),
    // The library derives an input twin ("…Input") of every component for request schemas; replies are all this
    // document describes, so only the output components are kept.
    transformObject: (documentObject) => {
      const document = withComponents(documentObject) as { components?: { schemas?: Record<string, unknown> } };
      const schemas = document.components?.schemas ?? {};
      for (const id of Object.keys(schemas)) if (!(id in COMPONENTS)) delete schemas[id];
      return document as ReturnType<typeof withComponents>;
    },
  });

  // Public: it describes shapes only (what docs/API.md, in the repository, says too), never data. Built once.
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async (_req, reply) => {
    reply.header('cache-control', 'no-cache');
    return app.swagger();
  });
}
