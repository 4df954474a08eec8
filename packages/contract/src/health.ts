import { z } from 'zod';

export const healthResponseSchema = z.object({ status: z.literal('ok') });

export const versionResponseSchema = z.object({
  version: z.string(),
  commit: z.string(),
  node: z.string(),
  uptime: z.number(),
  memory: z.object({ rss: z.number(), heapUsed: z.number(), heapTotal: z.number() }),
  timestamp: z.string(),
});
export type VersionResponse = z.infer<typeof versionResponseSchema>;

export const workerStatusSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['online', 'offline']),
  version: z.string().nullable(),
  uptime: z.number().nullable(),
  latencyMs: z.number().nullable(),
});
export type WorkerStatus = z.infer<typeof workerStatusSchema>;

export const workersStatusResponseSchema = z.object({
  workers: z.array(workerStatusSchema),
  timestamp: z.string(),
});
