import { z } from 'zod';
import { Config } from './schema.js';

/** The JSON Schema editors use to complete and check heraut.yaml (committed as config/heraut.schema.json). */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Config, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://github.com/heraut/heraut/config/heraut.schema.json', title: 'heraut configuration' };
}
