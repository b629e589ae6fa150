import { configJsonSchema } from '../../config/json-schema.js';

export async function schemaCommand(): Promise<void> {
  process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
}
