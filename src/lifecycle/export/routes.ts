import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userMeta } from '../../identity/routes.ts';
import { workspaceIdSchema } from '../../workspaces/schema.ts';
import type { ExportService, StartedExport } from './service.ts';

const params = z.strictObject({ workspaceId: workspaceIdSchema });

/** The archive as a download; what went wrong after the first byte is in the audit log (the stream just ends). */
function sendArchive(reply: FastifyReply, started: StartedExport, log: (error: unknown) => void): FastifyReply {
  started.finished.catch(log);
  return reply
    .header('content-type', 'application/x-tar')
    .header('content-disposition', `attachment; filename="${started.filename}"`)
    .header('cache-control', 'no-store')
    .send(started.archive);
}

const archiveResponse = { 200: z.any().describe('a tar archive (application/x-tar); see README.txt inside it') };

/** DAT-01: GET /api/w/:workspaceId/export, behind the workspace gate. */
export const workspaceExportRoutes: FastifyPluginAsyncZod<{ exports: ExportService }> = async (app, { exports }) => {
  app.get(
    '/export',
    { schema: { tags: ['export'], params, response: archiveResponse }, config: { permission: 'workspace:export' } },
    async (request, reply) =>
      sendArchive(reply, exports.exportWorkspace(request.params.workspaceId, request.meta), (error) => request.log.warn({ err: error }, 'workspace export ended early')),
  );
};

/** DAT-01: GET /api/me/export, everything held about the signed-in person. */
export const personalExportRoutes: FastifyPluginAsyncZod<{ exports: ExportService }> = async (app, { exports }) => {
  app.get('/api/me/export', { schema: { tags: ['export'], response: archiveResponse } }, async (request, reply) =>
    sendArchive(reply, exports.exportPerson(userMeta(request)), (error) => request.log.warn({ err: error }, 'personal export ended early')),
  );
};
