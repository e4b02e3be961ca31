/** The options of `nx g @keycard/tools:service` (see schema.json). */
export interface ServiceGeneratorSchema {
  name: string;
  port?: number;
  apiKeys?: boolean;
  audience?: string;
  skipFormat?: boolean;
}
