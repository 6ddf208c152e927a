// Usage: node validate.mjs <schema.json> <document.json>
// Prints one line per error ("<path> <message>") and exits 1 when the document is invalid, 0 when valid.
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';

const [schemaPath, documentPath] = process.argv.slice(2);
if (!schemaPath || !documentPath) {
  console.error('usage: node validate.mjs <schema.json> <document.json>');
  process.exit(2);
}

const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
delete schema.$schema; // draft-07 is Ajv's default dialect
const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(schema);
const document = JSON.parse(readFileSync(documentPath, 'utf8'));
if (validate(document)) {
  process.exit(0);
}

for (const error of validate.errors) {
  console.log(`${error.instancePath || '/'} ${error.message}`);
}
process.exit(1);
