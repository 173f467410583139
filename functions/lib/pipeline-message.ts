import * as z from 'zod';

/** The body every step queue carries: which document to work on. */
export const StepMessageSchema = z.object({ documentId: z.string().min(1).max(64) });

export const parseStepMessage = (body: string): string =>
  StepMessageSchema.parse(JSON.parse(body)).documentId;
