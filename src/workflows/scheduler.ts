import { Cron } from 'croner';
import type { RequestMeta } from '../access/actor.ts';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Platform } from '../platform/platform.ts';

export interface WorkflowScheduler {
  /** Stops every job and waits for the runs under way, so the databases they write stay open until they end. */
  stop(): Promise<void>;
}

const SYSTEM: RequestMeta = { actor: { type: 'system', id: 'workflow-scheduler' } };

/**
 * WFL-01: schedule triggers. One croner job per enabled workflow with a schedule trigger,
 * loaded for every workspace at start and reloaded for a workspace whenever one of its
 * workflows is created, updated or deleted (WorkflowService.onChange), so there is no
 * polling delay. A tick starts the run through RunService like any other trigger, as the
 * system actor: the workspace budget applies, and the run service itself refuses a workflow
 * disabled since the last reload.
 */
export function startWorkflowScheduler(platform: Pick<Platform, 'workspaces' | 'workflows' | 'workflowRuns'>, logger: Logger): WorkflowScheduler {
  const jobs = new Map<string, Cron[]>();
  const running = new Set<Promise<void>>();
  let stopped = false;

  const tick = (workspaceId: string, workflowId: string) => {
    const run = platform.workflowRuns.start(workspaceId, workflowId, {}, 'schedule', SYSTEM).then(
      (result) => logger.info({ workspaceId, workflowId, runId: result.id, status: result.status }, 'scheduled workflow run'),
      // Only the code: a message could carry a step's payload.
      (error: unknown) => logger.warn({ workspaceId, workflowId, code: error instanceof AppError ? error.code : 'internal' }, 'scheduled workflow run not started'),
    );
    running.add(run);
    return run.finally(() => running.delete(run));
  };

  const reload = (workspaceId: string) => {
    for (const job of jobs.get(workspaceId) ?? []) job.stop();
    jobs.delete(workspaceId);
    if (stopped) return;
    try {
      const next: Cron[] = [];
      for (const workflow of platform.workflows.list(workspaceId)) {
        if (!workflow.enabled || workflow.trigger !== 'schedule') continue;
        const { trigger } = platform.workflows.get(workspaceId, workflow.id).definition;
        if (trigger.type !== 'schedule') continue;
        // protect: a run that outlasts the interval is not joined by a second one of the same workflow.
        next.push(new Cron(trigger.cron, { protect: true, unref: true }, () => tick(workspaceId, workflow.id)));
      }
      if (next.length > 0) jobs.set(workspaceId, next);
    } catch (error) {
      logger.error({ workspaceId, err: error }, 'workflow schedules not loaded');
    }
  };

  const unsubscribe = platform.workflows.onChange(reload);
  for (const workspace of platform.workspaces.list()) reload(workspace.id);

  return {
    async stop() {
      stopped = true;
      unsubscribe();
      for (const list of jobs.values()) for (const job of list) job.stop();
      jobs.clear();
      await Promise.all(running);
    },
  };
}
