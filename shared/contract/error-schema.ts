/** zod schema of the error shape (errors.ts). */
import { z } from 'zod';
import { ERROR_CODES, type ContractError } from './errors.js';

export const ContractErrorSchema: z.ZodType<ContractError> = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  field: z.string().optional(),
  host: z.string().optional(),
});
