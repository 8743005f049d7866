import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import { workspaceIdSchema } from '../workspaces/schema.ts';
import { exportLines, exportRangeSchema, rangeInverted, recordExport, type EventReader } from './export.ts';
import type { AuditLog } from './log.ts';

const params = z.strictObject({ workspaceId: workspaceIdSchema });

export interface AuditExportRouteOptions {
  /** Reads the workspace's log a page at a time. */
  reader(workspaceId: string): EventReader;
  audit(workspaceId: string): AuditLog;
}

/** LOG-07: GET /api/w/:workspaceId/audit/export, the workspace's audit log as JSON lines. */
export const auditExportRoutes: FastifyPluginAsyncZod<AuditExportRouteOptions> = async (app, options) => {
  app.get(
    '/audit/export',
    {
      schema: {
        tags: ['audit'],
        params,
        querystring: exportRangeSchema,
        response: { 200: z.any().describe('application/x-ndjson: one audit event per line, oldest first, as /audit-events answers') },
      },
      config: { permission: 'audit:read' },
    },
    async (request, reply) => {
      const range = request.query;
      if (rangeInverted(range)) throw new AppError(400, 'invalid_time_range', '"from" must not be later than "to"');
      const { workspaceId } = request.params;
      await recordExport(options.audit(workspaceId), request.meta, { type: 'workspace', id: workspaceId }, range);
      const lines = Readable.from(exportLines(options.reader(workspaceId), range), { objectMode: false });
      lines.on('error', (error) => request.log.warn({ err: error }, 'audit export ended early'));
      return reply
        .header('content-type', 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="audit-${workspaceId}.jsonl"`)
        .header('cache-control', 'no-store')
        .send(lines);
    },
  );
};
